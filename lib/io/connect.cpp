#include "io/connect.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "base/error.hpp"

namespace orou::io {

namespace {

Connection spawn_stage(std::string_view command) {
    auto argv = split_words(command);
    if (argv.empty()) throw ConfigError("exec: names no program");
    auto to_child = make_pipe();
    auto from_child = make_pipe();
    Child child = spawn(argv, to_child.read.get(), from_child.write.get());
    return {std::move(from_child.read), std::move(to_child.write), std::move(child)};
}

Connection socket_pair(Fd fd) {
    Fd out(static_cast<int>(check_sys(::dup(fd.get()), "duplicate a socket")));
    return {std::move(fd), std::move(out), Child()};
}

Connection connect_unix(std::string_view path) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof sa.sun_path)
        throw ConfigError("unix: needs a socket path under " + std::to_string(sizeof sa.sun_path) + " bytes");
    std::memcpy(sa.sun_path, path.data(), path.size());
    Fd fd(static_cast<int>(check_sys(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "create a socket")));
    check_sys(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "connect to " + std::string(path));
    return socket_pair(std::move(fd));
}

Connection connect_tcp(std::string_view host_port) {
    auto colon = host_port.rfind(':');
    if (colon == std::string_view::npos) throw ConfigError("needs host:port: " + std::string(host_port));
    std::string host(host_port.substr(0, colon)), port(host_port.substr(colon + 1));
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
        throw SysError("resolve " + host + " (" + gai_strerror(rc) + ")", EHOSTUNREACH);
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(res, ::freeaddrinfo);
    int err = ECONNREFUSED;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (fd && ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) return socket_pair(std::move(fd));
        err = errno;
    }
    throw SysError("connect to " + std::string(host_port), err);
}

}  // namespace

void Connection::close_write() {
    if (child.pid() <= 0 && out) ::shutdown(out.get(), SHUT_WR);
    out.reset();
}

void check_spec(std::string_view spec) {
    auto bad = [&](const std::string& why) { return ConfigError("bad stage \"" + std::string(spec) + "\": " + why); };
    if (spec.starts_with("exec:")) {
        if (split_words(spec.substr(5)).empty()) throw bad("names no program");
    } else if (spec.starts_with("unix:")) {
        if (spec.size() == 5 || spec.size() - 5 >= sizeof(sockaddr_un::sun_path)) throw bad("socket path length");
    } else if (spec.starts_with("lmtp:") || spec.starts_with("tcp:")) {
        auto colon = spec.rfind(':');
        auto port = spec.substr(colon + 1);
        if (colon < 5 || port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos)
            throw bad("needs host:port");
    } else {
        throw bad("want exec:, unix:, lmtp: or tcp:");
    }
}

Connection connect_spec(std::string_view spec) {
    check_spec(spec);
    if (spec.starts_with("exec:")) return spawn_stage(spec.substr(5));
    if (spec.starts_with("unix:")) return connect_unix(spec.substr(5));
    return connect_tcp(spec.substr(spec.find(':') + 1));
}

}  // namespace orou::io
