#include "forward/socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"

namespace orou::forward {

namespace {

// A socket address from text; false when the text is not an address.
bool make_address(const std::string& address, std::uint16_t port, sockaddr_storage& sa, socklen_t& len) {
    std::memset(&sa, 0, sizeof sa);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&sa);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&sa);
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET, v4->sin_port = htons(port), len = sizeof *v4;
        return true;
    }
    if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6, v6->sin6_port = htons(port), len = sizeof *v6;
        return true;
    }
    return false;
}

}  // namespace

Connected connect_to(const std::string& address, std::uint16_t port, io::Deadline deadline) {
    sockaddr_storage sa;
    socklen_t len = 0;
    if (!make_address(address, port, sa, len)) return {Fd(), "not an IP address: " + address};
    Fd fd(::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return {Fd(), std::string("socket: ") + std::strerror(errno)};
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) < 0 && errno != EINPROGRESS)
        return {Fd(), std::strerror(errno)};
    if (!io::wait_fd(fd.get(), true, deadline)) return {Fd(), "connection timed out"};
    int err = 0;
    socklen_t err_len = sizeof err;
    check_sys(::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &err_len), "read a socket's error");
    if (err != 0) return {Fd(), std::strerror(err)};
    int one = 1;  // each command goes out at once, not after the server's delayed ACK
    (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return {std::move(fd), ""};
}

io::ReadResult SocketStream::read(std::span<char> buf, io::Deadline deadline) {
    for (;;) {
        if (!io::wait_fd(fd_, false, deadline)) return {io::ReadStatus::Timeout};
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0 && errno == ECONNRESET) return {io::ReadStatus::Eof};
        check_sys(n, "read from the upstream");
        if (n == 0) return {io::ReadStatus::Eof};
        return {io::ReadStatus::Ok, static_cast<std::size_t>(n)};
    }
}

void SocketStream::write(std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (!io::wait_fd(fd_, true, io::Clock::now() + write_timeout_))
                throw SysError("write to the upstream", ETIMEDOUT);
            continue;
        }
        check_sys(n, "write to the upstream");
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace orou::forward
