// The listener's forking server: a handler per connection in a child of its
// own, at most max_connections at once, a clean stop on SIGTERM, and on
// SIGQUIT no more connections while the running sessions finish.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "listener/listener.hpp"
#include "log/log.hpp"
#include "unix_listener.hpp"

namespace {

using namespace orou;

Fd listening_socket(std::uint16_t& port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0 || ::listen(fd.get(), 8) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
        throw std::runtime_error("cannot listen on loopback");
    port = ntohs(sa.sin_port);
    return fd;
}

Fd connect_to(std::uint16_t port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    timeval five{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw std::runtime_error("connect");
    return fd;
}

using test::read_line;

TEST(Listener, ForksAHandlerPerConnectionWithinTheLimitAndStopsOnSigterm) {
    std::uint16_t port = 0;
    Fd sock = listening_socket(port);
    ASSERT_TRUE(listener::is_listening(sock.get()));
    pid_t server = ::fork();
    ASSERT_GE(server, 0);
    if (server == 0) {
        listener::Port p;
        p.fd = sock.release();
        p.label = "test";
        p.busy_reply = "busy\n";
        p.handler = [](int conn, const std::string& host, const std::string&) {
            std::string hello = "hello " + host + " from " + std::to_string(::getpid()) + "\n";
            (void)!::write(conn, hello.data(), hello.size());
            char c;
            while (::read(conn, &c, 1) == 1) {  // held until the client closes
            }
            return 0;
        };
        listener::Limits limits;
        limits.max_connections = 1;
        log::Logger log("listener-test", "NONE", log::Level::Error);
        ::_exit(listener::serve({p}, limits, log));
    }
    sock.reset();

    Fd first = connect_to(port);
    std::string hello = read_line(first.get());
    EXPECT_TRUE(hello.starts_with("hello 127.0.0.1 from ")) << hello;
    EXPECT_NE(hello, "hello 127.0.0.1 from " + std::to_string(server));  // a child, not the server

    Fd second = connect_to(port);
    EXPECT_EQ(read_line(second.get()), "busy");
    EXPECT_EQ(read_line(second.get()), "");  // and closed

    first.reset();  // the first session ends; a new one is served again
    std::string again;
    for (int i = 0; i < 100 && !again.starts_with("hello"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        Fd third = connect_to(port);
        again = read_line(third.get());
    }
    EXPECT_TRUE(again.starts_with("hello 127.0.0.1 from ")) << again;
    EXPECT_NE(again, hello);

    ASSERT_EQ(::kill(server, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(server, &status, 0), server);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A server forked off serving `sock` with an echoing handler.
pid_t serve_echo(Fd sock) {
    pid_t server = ::fork();
    if (server != 0) return server;
    listener::Port p;
    p.fd = sock.release();
    p.label = "test";
    p.handler = [](int conn, const std::string&, const std::string&) {
        char c;
        while (::read(conn, &c, 1) == 1) (void)!::write(conn, &c, 1);
        return 0;
    };
    log::Logger log("listener-test", "NONE", log::Level::Error);
    ::_exit(listener::serve({p}, listener::Limits{}, log));
}

TEST(Listener, SighupWithNothingToReloadIsIgnoredAndSigquitEndsAfterTheRunningSession) {
    std::uint16_t port = 0;
    pid_t server = serve_echo(listening_socket(port));
    ASSERT_GT(server, 0);
    Fd held = connect_to(port);
    ASSERT_EQ(::write(held.get(), "a\n", 2), 2);
    ASSERT_EQ(read_line(held.get()), "a");  // served by now

    ASSERT_EQ(::kill(server, SIGHUP), 0);  // no reload given: nothing changes
    Fd other = connect_to(port);
    ASSERT_EQ(::write(other.get(), "h\n", 2), 2);
    EXPECT_EQ(read_line(other.get()), "h");
    other.reset();

    ASSERT_EQ(::kill(server, SIGQUIT), 0);
    bool refused = false;  // the listening socket closes (bounded wait)
    for (int i = 0; i < 100 && !refused; ++i) {
        Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons(port);
        refused = ::connect(probe.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0;
        if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(refused);
    ASSERT_EQ(::write(held.get(), "b\n", 2), 2);  // the session in progress goes on
    EXPECT_EQ(read_line(held.get()), "b");
    int status = -1;
    EXPECT_EQ(::waitpid(server, &status, WNOHANG), 0);  // still there for it

    held.reset();  // the session ends: so does the server, by itself
    ASSERT_EQ(::waitpid(server, &status, 0), server);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Listener, AConnectedSocketIsNotListening) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    Fd a(pair[0]), b(pair[1]);
    EXPECT_FALSE(listener::is_listening(a.get()));
    EXPECT_FALSE(listener::is_listening(-1));
}

TEST(Listener, SocketsPassedBySystemdAreCountedOnlyForTheProcessNamed) {
    EXPECT_EQ(listener::passed_sockets(nullptr, nullptr, 42), 0);
    EXPECT_EQ(listener::passed_sockets("42", nullptr, 42), 0);
    EXPECT_EQ(listener::passed_sockets("42", "1", 42), 1);
    EXPECT_EQ(listener::passed_sockets("42", "2", 42), 2);
    EXPECT_EQ(listener::passed_sockets("41", "1", 42), 0);  // a parent's, left in the environment
    EXPECT_THROW(listener::passed_sockets("4x", "1", 42), orou::ConfigError);
    EXPECT_THROW(listener::passed_sockets("42", "", 42), orou::ConfigError);
    EXPECT_THROW(listener::passed_sockets("42", "-1", 42), orou::ConfigError);
}

TEST(Listener, TheSocketSystemdPassedIsFdThreeAndTheEnvironmentIsCleared) {
    Fd standin;  // fd 3 open, as systemd leaves it
    if (::fcntl(listener::kFirstPassedSocket, F_GETFD) < 0) {
        Fd sock(::socket(AF_UNIX, SOCK_STREAM, 0));
        standin.reset(sock.get() == listener::kFirstPassedSocket ? sock.release()
                                                                 : ::dup2(sock.get(), listener::kFirstPassedSocket));
    }
    ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
    ::setenv("LISTEN_FDS", "1", 1);
    ::setenv("LISTEN_FDNAMES", "connection", 1);
    EXPECT_EQ(listener::systemd_socket(), listener::kFirstPassedSocket);
    EXPECT_EQ(::fcntl(listener::kFirstPassedSocket, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr);
    EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);
    EXPECT_EQ(std::getenv("LISTEN_FDNAMES"), nullptr);
    EXPECT_EQ(listener::systemd_socket(), -1);  // once only
    ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
    ::setenv("LISTEN_FDS", "2", 1);
    EXPECT_THROW(listener::systemd_socket(), orou::ConfigError);
}

}  // namespace
