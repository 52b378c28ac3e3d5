#include "listener/listener.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "listener/handoff.hpp"
#include "listener/server.hpp"
#include "listener/sockets.hpp"

namespace orou::listener {

namespace {

// Signal flags, the one kind of static allowed.
volatile sig_atomic_t g_stop = 0;    // SIGTERM, SIGINT
volatile sig_atomic_t g_reload = 0;  // SIGHUP
volatile sig_atomic_t g_retire = 0;  // SIGQUIT

void on_stop(int) { g_stop = 1; }
void on_reload(int) { g_reload = 1; }
void on_retire(int) { g_retire = 1; }

void install_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    sa.sa_handler = on_reload;
    ::sigaction(SIGHUP, &sa, nullptr);
    sa.sa_handler = on_retire;
    ::sigaction(SIGQUIT, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    // SIGCHLD keeps its default and stays blocked: Server::run reads it
    // from a signalfd (a blocked signal stays pending, never ignored).
    sigset_t block;
    sigemptyset(&block);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&block, sig);
    ::sigprocmask(SIG_BLOCK, &block, nullptr);
}

}  // namespace

namespace detail {

void Server::bind_all() { socks_ = take_sockets(ports_); }

// The sockets for `ports`: the running ones where a port stays, new ones
// bound for the rest.  Throws (and leaves socks_ as it was) when one does
// not bind.
std::vector<Listening> Server::take_sockets(const std::vector<Port>& ports) {
    std::map<std::string, std::size_t> running;
    for (std::size_t i = 0; i < socks_.size() && i < ports_.size(); ++i) running.emplace(address_key(ports_[i]), i);
    std::vector<Listening> socks(ports.size());
    std::vector<std::optional<std::size_t>> kept(ports.size());
    for (std::size_t i = 0; i < ports.size(); ++i) {
        auto it = running.find(address_key(ports[i]));
        if (it != running.end()) {
            kept[i] = it->second;
            running.erase(it);
            continue;
        }
        socks[i] = listen_on(ports[i]);
        log_listening(log_, ports[i]);
    }
    for (std::size_t i = 0; i < ports.size(); ++i)
        if (kept[i]) socks[i] = std::move(socks_[*kept[i]]);
    return socks;
}

// SIGHUP: the new ports from the caller; the sockets that stay are kept
// (never closed in between), each program handed one is replaced.
void Server::reload() {
    std::optional<PortSet> next = reload_();
    drain_idle();  // forked before the reload: replaced
    if (!next) return;
    std::vector<Listening> socks;
    try {
        socks = take_sockets(next->ports);
    } catch (const std::exception& e) {
        log_.event(log::Level::Error, "reload-failed", {{"reason", e.what()}});
        return;
    }
    retire_keepers();
    socks_ = std::move(socks);  // the sockets of ports that went are closed here
    set_ = std::move(*next);
    start_keepers();
    log_.event(log::Level::Info, "reloaded", {{"ports", std::to_string(ports_.size())}});
}

// Each program handed a socket stops accepting and ends when its own
// sessions have (SIGQUIT); its successor takes the socket at once.
void Server::retire_keepers() {
    for (auto& [pid, running] : children_) {
        if (running.kind != Kind::Keeper) continue;
        ::kill(pid, SIGQUIT);
        running.kind = Kind::Retired;
    }
}

void Server::start_keepers() {
    restart_at_.assign(ports_.size(), std::nullopt);
    for (std::size_t i = 0; i < ports_.size(); ++i)
        if (ports_[i].hand_over) restart_at_[i] = Clock::now();
}

// SIGQUIT: no more connections; the children finish what they do.
void Server::retire() {
    retiring_ = true;
    retire_keepers();
    drain_idle();
    restart_at_.assign(ports_.size(), std::nullopt);
    socks_.clear();
    log_.event(log::Level::Info, "retiring", {{"sessions", std::to_string(sessions_)}});
}

// Starts each hand_over port's program that is due, with the listening
// socket as its stdin and stdout.
void Server::keep_running(Clock::time_point now) {
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        if (!restart_at_[i] || *restart_at_[i] > now) continue;
        restart_at_[i].reset();
        try {
            Child child = start(ports_[i], socks_[i].get(), "", "");
            pid_t pid = child.pid();
            add_child(pid, Running{std::move(child), Kind::Keeper, i, {}, ports_[i].label});
        } catch (const SysError& e) {
            log_.event(log::Level::Error, "spawn-failed", {{"reason", e.what()}});
            restart_at_[i] = now + kRestartDelay;
        }
    }
}

// The sockets the server accepts on itself: fds[k] is ports_[index[k]].
void Server::poll_set(std::vector<pollfd>& fds, std::vector<std::size_t>& index) const {
    fds.clear();
    index.clear();
    for (std::size_t i = 0; i < socks_.size(); ++i) {
        if (ports_[i].hand_over) continue;
        fds.push_back({socks_[i].get(), POLLIN, 0});
        index.push_back(i);
    }
}

int Server::run() {
    bind_all();
    start_keepers();
    // A child's end is read from a signalfd, not caught: the handler's
    // signal frame and ppoll's EINTR wrote pages a forked child shares,
    // about two page copies per fork (measured with bench/).
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    exits_.reset(static_cast<int>(check_sys(::signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC), "make a signalfd")));
    std::vector<pollfd> fds;
    std::vector<std::size_t> index;
    for (;;) {
        if (g_retire && !retiring_) retire();
        // Read before it is written: each write to a page a forked child
        // shares is a page copy, and this loop runs once per fork.
        if (g_reload) {
            g_reload = 0;
            if (reload_ && !retiring_) reload();
        }
        if (g_stop || (retiring_ && children_.empty())) break;
        auto now = Clock::now();
        keep_running(now);
        fill_pools(now);
        poll_set(fds, index);  // after the first fork: its vectors on the pages the loop writes anyway
        std::optional<Clock::time_point> next = next_wake();
        timespec wait{};
        if (next) {
            auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*next - now).count();
            ns = std::max<long long>(ns, 0);
            wait.tv_sec = ns / 1000000000, wait.tv_nsec = ns % 1000000000;
        }
        fds.push_back({exits_.get(), POLLIN, 0});
        int rc = ::ppoll(fds.data(), fds.size(), next ? &wait : nullptr, &chld);
        int err = errno;
        signalfd_siginfo exit{};  // one pending SIGCHLD stands for every child ended
        if (rc > 0 && (fds.back().revents & POLLIN)) (void)!::read(exits_.get(), &exit, sizeof exit);
        reap();
        if (rc < 0 && err == EINTR) continue;
        if (rc < 0) throw SysError("poll the listening sockets", err);  // no string, no errno written per turn
        for (std::size_t k = 0; k < index.size(); ++k)
            if (fds[k].revents & POLLIN) accept_one(index[k]);
    }
    shut_down();
    return EX_OK;
}

bool Server::over_limit(const Port& p, const std::string& client) {
    if (p.is_unix()) return stages_ >= limits_.max_connections * kStagesPerSession;
    if (sessions_ < limits_.max_connections) return false;
    log_.event(log::Level::Warning, "refused", {{"client", client}, {"reason", "too many connections"}});
    return true;
}

// What a connection that is turned away is told (maybe nothing), or
// nullopt when it may start; `counted` is then the address it counts
// against (none on a unix socket).
std::optional<std::string_view> Server::refusal(const Port& p, const sockaddr_storage& ss, const std::string& client,
                                                std::string& counted) {
    if (over_limit(p, client)) return p.busy_reply;
    if (p.is_unix() || !limits_.per_client.any()) return std::nullopt;
    std::string key = client_key(ss);
    ClientTable::Verdict verdict = clients_.admit(key, Clock::now());
    if (verdict == ClientTable::Verdict::Ok) {
        counted = std::move(key);
        return std::nullopt;
    }
    const char* reason = verdict == ClientTable::Verdict::TooMany ? "too many connections from the address"
                                                                  : "too many new connections from the address";
    log_.event(log::Level::Warning, "refused", {{"client", client}, {"counted", key}, {"reason", reason}});
    return p.client_busy_reply;
}

// The child closes the listening sockets and the other children's
// handoffs (no exec closes them for it) and runs the handler; only _exit
// leaves it, so nothing of the server's state is torn down twice.
Child Server::fork_handler(const Port& p, int conn, const std::string& host, const std::string& port) {
    if (p.before_fork) p.before_fork();
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork", errno);
    if (pid > 0) return Child(pid);
    become_child(p);
    run_child(p, conn, host, port);
}

// In a child just forked: the server's signals undone, its sockets and the
// other children's handoffs closed, the port's in_child run.
void Server::become_child(const Port& p) {
    reset_signals();
    for (const auto& s : socks_) ::close(s.get());
    ::close(exits_.get());
    for (const auto& [pid, running] : children_)
        if (running.handoff) ::close(running.handoff.get());
    if (!p.in_child) return;
    int status = run_guarded("orouboros", [&] {
        p.in_child();
        return EX_OK;
    });
    if (status != EX_OK) ::_exit(status);
}

void Server::run_child(const Port& p, int conn, const std::string& host, const std::string& port) {
    int status = run_guarded("orouboros", [&] { return p.handler(conn, host, port); });
    std::fflush(nullptr);
    ::_exit(status);
}

// When the loop must wake with no connection: a program to restart, or
// an idle child to replace.
std::optional<Clock::time_point> Server::next_wake() const {
    std::optional<Clock::time_point> next;
    for (const auto& at : restart_at_)
        if (at && (!next || *at < *next)) next = at;
    for (const auto& [pid, running] : children_)
        if (running.kind == Kind::Idle && (!next || running.born + kPreforkMaxAge < *next))
            next = running.born + kPreforkMaxAge;
    return next;
}

Child Server::start(const Port& p, int conn, const std::string& host, const std::string& port) {
    if (p.handler) return fork_handler(p, conn, host, port);
    std::vector<std::string> env;
    if (!p.is_unix() && !p.hand_over) env = {"REMOTE_ADDR=" + host, "REMOTE_PORT=" + port};
    return spawn_as(p.user ? &*p.user : nullptr, p.argv, conn, p.log_fd, env);
}

void Server::accept_one(std::size_t index) {
    const Port& p = ports_[index];
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    Fd conn(::accept4(socks_[index].get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC));
    if (!conn) return;  // the client went away, or out of fds: the next poll retries
    auto [host, port] = ss.ss_family == AF_UNIX ? std::pair<std::string, std::string>{"local", ""} : peer_of(ss, len);
    std::string counted;
    if (auto reply = refusal(p, ss, host, counted)) {
        (void)!::write(conn.get(), reply->data(), reply->size());
        return;
    }
    if (hand_to_idle(index, conn.get(), host, port, counted)) return;
    try {
        Child child = start(p, conn.get(), host, port);
        pid_t pid = child.pid();
        add_child(pid, Running{std::move(child), p.is_unix() ? Kind::Stage : Kind::Session, index, counted});
        ++(p.is_unix() ? stages_ : sessions_);
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "spawn-failed", {{"reason", e.what()}});
        if (!counted.empty()) clients_.release(counted);
    }
}

void Server::reap() {
    int st;
    pid_t pid;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) {
        auto it = children_.find(pid);
        if (it == children_.end()) continue;
        Running& ended = it->second;
        (void)ended.child.release();
        if (ended.kind == Kind::Keeper || ended.kind == Kind::Retired) {
            const bool expected = g_stop || ended.kind == Kind::Retired;
            log_.event(expected ? log::Level::Info : log::Level::Warning, "ended",
                       {{"mode", ended.label},
                        {"status", WIFSIGNALED(st) ? "signal " + std::to_string(WTERMSIG(st))
                                                   : std::to_string(WEXITSTATUS(st))}});
            if (!expected) restart_at_[ended.port] = Clock::now() + kRestartDelay;
        } else if (ended.kind == Kind::Idle || ended.kind == Kind::Draining) {
            if (WIFSIGNALED(st)) log_killed(ended, WTERMSIG(st));
        } else {
            --(ended.kind == Kind::Stage ? stages_ : sessions_);
            if (!ended.client.empty()) clients_.release(ended.client);
            if (WIFSIGNALED(st)) log_killed(ended, WTERMSIG(st));
        }
        spare_ = children_.extract(it);
        spare_.mapped().handoff.reset();
    }
}

// A session or stage that a signal ended: SIGSYS is the system call
// filter's verdict, SIGALRM the session's backstop.
void Server::log_killed(const Running& ended, int sig) {
    const char* name = ::sigabbrev_np(sig);
    log_.event(g_stop ? log::Level::Info : log::Level::Warning, "killed",
               {{"mode", ports_[ended.port].label}, {"signal", name ? name : std::to_string(sig)}});
}

void Server::shut_down() {
    socks_.clear();
    log_.event(log::Level::Info, "stopping", {{"sessions", std::to_string(sessions_)}});
    for (auto& [pid, running] : children_) ::kill(pid, SIGTERM);
    auto deadline = Clock::now() + std::chrono::seconds(limits_.grace_seconds);
    while (!children_.empty() && Clock::now() < deadline) {
        reap();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& [pid, running] : children_) ::kill(pid, SIGKILL);
    children_.clear();  // each Child waits for its process
}

}  // namespace detail

int serve(PortSet ports, log::Logger& log, const Reload& reload) {
    g_stop = 0;
    g_reload = 0;
    g_retire = 0;
    install_signals();
    detail::Server server(std::move(ports), log, reload);
    return server.run();
}

int serve(const std::vector<Port>& ports, const Limits& limits, log::Logger& log) {
    return serve(PortSet{ports, limits, nullptr}, log, Reload{});
}

}  // namespace orou::listener
