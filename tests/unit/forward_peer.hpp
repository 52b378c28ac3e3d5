// Scripted SMTP peers for the client tests: every reply is written at
// once (the client reads them in order), and what the client sent is
// collected.  A socket pair, or a loopback listener served by a thread
// that accepts one connection; every wait is bounded.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace orou::test {

// Reads what is there until EOF or until nothing came for `ms`.
inline std::string drain(int fd, int ms) {
    std::string got;
    for (int i = 0; i < 1000; ++i) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0) break;
        char buf[4096];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

struct ScriptedPair {
    Fd client, server;
    explicit ScriptedPair(const std::string& replies) {
        int sv[2];
        check_sys(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), "socketpair");
        client.reset(sv[0]);
        server.reset(sv[1]);
        write_all(server.get(), replies, "write the script");
    }
    // What the client sent (call once the client is gone).
    std::string sent() { return drain(server.get(), 200); }
};

class ScriptedServer {
public:
    explicit ScriptedServer(std::string replies) : listen_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sa;
        check_sys(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&sa), len), "bind");
        check_sys(::listen(listen_.get(), 4), "listen");
        check_sys(::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&sa), &len), "getsockname");
        port = ntohs(sa.sin_port);
        thread_ = std::thread([this, r = std::move(replies)] { serve(r); });
    }
    ~ScriptedServer() { join(); }
    // What the client sent, once it closed (or after a bounded wait).
    std::string sent() {
        join();
        return sent_;
    }
    int connections() {
        join();
        return connections_;
    }

    std::uint16_t port = 0;

private:
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    void serve(const std::string& replies) {
        pollfd p{listen_.get(), POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        Fd c(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!c) return;
        ++connections_;
        write_all(c.get(), replies, "write the script");
        sent_ = drain(c.get(), 5000);
    }

    Fd listen_;
    std::thread thread_;
    std::string sent_;
    int connections_ = 0;
};

}  // namespace orou::test
