#include "listener/sockets.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "base/error.hpp"
#include "listener/listener.hpp"

namespace orou::listener {

namespace {

constexpr int kBacklog = 128;

Fd bind_port(const Port& p) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(p.host.c_str(), p.port.c_str(), &hints, &res); rc != 0)
        throw ConfigError("cannot resolve " + p.host + ":" + p.port + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(res, ::freeaddrinfo);
    Fd fd(static_cast<int>(check_sys(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), "create a socket")));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (res->ai_family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    check_sys(::bind(fd.get(), res->ai_addr, res->ai_addrlen), "bind " + p.host + ":" + p.port);
    check_sys(::listen(fd.get(), kBacklog), "listen on " + p.host + ":" + p.port);
    return fd;
}

// Removes a socket an earlier run left at `path`; anything else stays.
void remove_stale(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

// Made 0600 (the umask covers the bind), then given to the group, 0660.
Listening bind_unix(const Port& p) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (p.path.size() >= sizeof sa.sun_path) throw ConfigError("socket path too long: " + p.path);
    std::memcpy(sa.sun_path, p.path.data(), p.path.size());
    Fd fd(static_cast<int>(check_sys(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "create a socket")));
    remove_stale(p.path);
    mode_t old = ::umask(0177);
    int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::umask(old);
    check_sys(rc, "bind " + p.path);
    Listening bound(std::move(fd), p.path);
    if (::geteuid() == 0) check_sys(::chown(p.path.c_str(), 0, p.socket_group), "give " + p.path + " to its group");
    check_sys(::chmod(p.path.c_str(), 0660), "set the mode of " + p.path);
    check_sys(::listen(bound.get(), kBacklog), "listen on " + p.path);
    return bound;
}

}  // namespace

Listening::Listening(Listening&& o) noexcept : fd_(std::move(o.fd_)), path_(std::exchange(o.path_, {})) {}

Listening& Listening::operator=(Listening&& o) noexcept {
    if (this != &o) {
        remove();
        fd_ = std::move(o.fd_);
        path_ = std::exchange(o.path_, {});
    }
    return *this;
}

Listening::~Listening() { remove(); }

void Listening::remove() noexcept {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
}

Listening listen_on(const Port& p) {
    if (p.fd >= 0) return Listening(Fd(p.fd), "");
    if (p.is_unix()) return bind_unix(p);
    return Listening(bind_port(p), "");
}

std::string address_key(const Port& p) {
    if (p.fd >= 0) return "fd:" + std::to_string(p.fd);
    if (p.is_unix()) return "unix:" + p.path;
    return "tcp:[" + p.host + "]:" + p.port;
}

std::pair<std::string, std::string> peer_of(const sockaddr_storage& ss, socklen_t len) {
    // inet_ntop where it gives getnameinfo's text: getnameinfo's zeroed
    // buffers and its printf wrote two stack pages per connection, each a
    // page copy while a forked child shares them (measured with bench/).
    char text[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
        if (::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text)) return {text, std::to_string(ntohs(in.sin_port))};
    }
    if (ss.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
        if (in6.sin6_scope_id == 0 && ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text))
            return {text, std::to_string(ntohs(in6.sin6_port))};
    }
    char host[NI_MAXHOST] = "unknown", serv[NI_MAXSERV] = "";
    ::getnameinfo(reinterpret_cast<const sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
                  NI_NUMERICHOST | NI_NUMERICSERV);
    return {host, serv};
}

void log_listening(log::Logger& log, const Port& p) {
    std::string user = p.user ? p.user->name : "";
    if (p.fd >= 0) log.event(log::Level::Info, "listening", {{"fd", std::to_string(p.fd)}, {"mode", p.label}});
    else if (p.is_unix())
        log.event(log::Level::Info, "listening", {{"path", p.path}, {"mode", p.label}, {"user", user}});
    else
        log.event(log::Level::Info, "listening",
                  {{"address", p.host}, {"port", p.port}, {"mode", p.label}, {"user", user}});
}

}  // namespace orou::listener
