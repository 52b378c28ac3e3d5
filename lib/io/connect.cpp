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

Connection spawn_stage(const std::vector<std::string>& argv) {
    auto to_child = make_pipe();
    auto from_child = make_pipe();
    Child child = spawn(argv, to_child.read.get(), from_child.write.get());
    return {std::move(from_child.read), std::move(to_child.write), std::move(child)};
}

Connection socket_pair(Fd fd) {
    Fd out(static_cast<int>(check_sys(::dup(fd.get()), "duplicate a socket")));
    return {std::move(fd), std::move(out), Child()};
}

Connection connect_unix(const std::string& path) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    Fd fd(static_cast<int>(check_sys(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "create a socket")));
    check_sys(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "connect to " + std::string(path));
    return socket_pair(std::move(fd));
}

Connection connect_tcp(const std::string& host, const std::string& port) {
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
    throw SysError("connect to " + host + ":" + port, err);
}

}  // namespace

void Connection::close_write() {
    if (child.pid() <= 0 && out) ::shutdown(out.get(), SHUT_WR);
    out.reset();
}

void check_spec(std::string_view spec) { (void)parse_stage_spec(spec); }

Connection connect_spec(std::string_view spec) { return connect_stage(parse_stage_spec(spec)); }

Connection connect_stage(const StageSpec& spec) {
    switch (spec.kind) {
    case StageKind::Exec: return spawn_stage(spec.argv);
    case StageKind::Unix: return connect_unix(spec.path);
    case StageKind::Tcp: break;
    }
    return connect_tcp(spec.host, spec.port);
}

}  // namespace orou::io
