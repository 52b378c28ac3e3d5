#include "listener/listener.hpp"

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace orou::listener {

namespace {

volatile sig_atomic_t g_stop = 0;  // the one static allowed: a signal flag

void on_stop(int) { g_stop = 1; }
void on_child(int) {}

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
    check_sys(::bind(fd.get(), res->ai_addr, res->ai_addrlen), "bind " + p.host + ":" + p.port);
    check_sys(::listen(fd.get(), 128), "listen on " + p.host + ":" + p.port);
    return fd;
}

void install_signals() {
    struct sigaction sa{};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    sa.sa_handler = on_child;
    ::sigaction(SIGCHLD, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &block, nullptr);
}

std::pair<std::string, std::string> peer_of(const sockaddr_storage& ss, socklen_t len) {
    char host[NI_MAXHOST] = "unknown", serv[NI_MAXSERV] = "";
    ::getnameinfo(reinterpret_cast<const sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
                  NI_NUMERICHOST | NI_NUMERICSERV);
    return {host, serv};
}

class Server {
public:
    Server(const std::vector<Port>& ports, const Limits& limits, log::Logger& log)
        : ports_(ports), limits_(limits), log_(log) {}
    int run();

private:
    void accept_one(std::size_t index);
    void reap();
    void shut_down();

    const std::vector<Port>& ports_;
    const Limits& limits_;
    log::Logger& log_;
    std::vector<Fd> socks_;
    std::map<pid_t, Child> children_;
};

int Server::run() {
    for (const auto& p : ports_) {
        socks_.push_back(bind_port(p));
        log_.event(log::Level::Info, "listening", {{"address", p.host}, {"port", p.port}, {"mode", p.label}});
    }
    sigset_t none;
    sigemptyset(&none);
    std::vector<pollfd> fds;
    for (const auto& s : socks_) fds.push_back({s.get(), POLLIN, 0});
    while (!g_stop) {
        int rc = ::ppoll(fds.data(), fds.size(), nullptr, &none);
        int err = errno;
        reap();
        if (rc < 0 && err == EINTR) continue;
        errno = err;
        check_sys(rc, "poll the listening sockets");
        for (std::size_t i = 0; i < fds.size(); ++i)
            if (fds[i].revents & POLLIN) accept_one(i);
    }
    shut_down();
    return EX_OK;
}

void Server::accept_one(std::size_t index) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    Fd conn(::accept4(socks_[index].get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC));
    if (!conn) return;  // the client went away, or out of fds: the next poll retries
    auto [host, port] = peer_of(ss, len);
    if (static_cast<int>(children_.size()) >= limits_.max_connections) {
        log_.event(log::Level::Warning, "refused", {{"client", host}, {"reason", "too many connections"}});
        (void)!::write(conn.get(), "421 4.3.2 too many connections, try again later\r\n", 50);
        return;
    }
    try {
        Child child = spawn(ports_[index].argv, conn.get(), conn.get(),
                            {"REMOTE_ADDR=" + host, "REMOTE_PORT=" + port});
        pid_t pid = child.pid();
        children_.emplace(pid, std::move(child));
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "spawn-failed", {{"reason", e.what()}});
    }
}

void Server::reap() {
    int st;
    pid_t pid;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) {
        auto it = children_.find(pid);
        if (it == children_.end()) continue;
        (void)it->second.release();
        children_.erase(it);
    }
}

void Server::shut_down() {
    socks_.clear();
    log_.event(log::Level::Info, "stopping", {{"sessions", std::to_string(children_.size())}});
    for (auto& [pid, child] : children_) ::kill(pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits_.grace_seconds);
    while (!children_.empty() && std::chrono::steady_clock::now() < deadline) {
        reap();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& [pid, child] : children_) ::kill(pid, SIGKILL);
    children_.clear();  // each Child waits for its process
}

}  // namespace

int serve(const std::vector<Port>& ports, const Limits& limits, log::Logger& log) {
    g_stop = 0;
    install_signals();
    Server server(ports, limits, log);
    return server.run();
}

}  // namespace orou::listener
