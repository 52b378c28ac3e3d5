#include "listener/handoff.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"

namespace orou::listener {

namespace {

// The client's address and port, "host\0port": at most this long.
constexpr std::size_t kPeerMax = 256;

}  // namespace

std::pair<Fd, Fd> handoff_pair() {
    int sv[2];
    // The message made only on failure: a string per fork is a malloc, a
    // page written that the last child shares.
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        throw SysError("make a socketpair for a session", errno);
    return {Fd(sv[0]), Fd(sv[1])};
}

bool send_connection(int sock, int conn, const std::string& host, const std::string& port) {
    std::string peer = host + '\0' + port;
    if (peer.size() > kPeerMax) peer.resize(kPeerMax);
    iovec iov{peer.data(), peer.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov, msg.msg_iovlen = 1;
    msg.msg_control = control, msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS, c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &conn, sizeof conn);
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(peer.size());
}

std::optional<Handoff> receive_connection(int sock) {
    char peer[kPeerMax + 1] = {};
    iovec iov{peer, kPeerMax};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov, msg.msg_iovlen = 1;
    msg.msg_control = control, msg.msg_controllen = sizeof control;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    cmsghdr* c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return std::nullopt;
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    Handoff h{Fd(fd), peer, {}};
    const std::size_t host_len = std::strlen(peer);
    if (host_len + 1 < static_cast<std::size_t>(n)) h.port = peer + host_len + 1;
    return h;
}

}  // namespace orou::listener
