#include "listener/workers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "listener/listener.hpp"

namespace orou::listener {

namespace {

// Signal flags, the one kind of static allowed.  In a worker they mean
// the same: no more connections.
volatile sig_atomic_t g_stop = 0;    // SIGTERM, SIGINT
volatile sig_atomic_t g_retire = 0;  // SIGQUIT

void on_stop(int) { g_stop = 1; }
void on_retire(int) { g_retire = 1; }
void on_child(int) {}

// Handlers set, and the signals blocked outside ppoll: a worker's
// connection is never interrupted, and no signal is missed between a
// check of the flags and the wait.
void install_signals() {
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    using Handler = void (*)(int);
    for (auto [sig, handler] :
         {std::pair<int, Handler>{SIGTERM, on_stop}, std::pair<int, Handler>{SIGINT, on_stop},
          std::pair<int, Handler>{SIGQUIT, on_retire}, std::pair<int, Handler>{SIGCHLD, on_child}}) {
        sa.sa_handler = handler;
        ::sigaction(sig, &sa, nullptr);
    }
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGCHLD}) sigaddset(&block, sig);
    ::sigprocmask(SIG_BLOCK, &block, nullptr);
}

using Clock = std::chrono::steady_clock;

// What a worker tells the master, in one write (atomic on a pipe).
struct Report {
    pid_t pid;
    char state;  // kBusy or kIdle
};
constexpr char kBusy = 'B', kIdle = 'I';

void report(int fd, char state) {
    const Report r{::getpid(), state};
    (void)!::write(fd, &r, sizeof r);
}

// Whether accept's failure is a passing one (another worker was first,
// the client went away).
bool passing(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == ECONNABORTED || err == EINTR; }

class Worker {
public:
    Worker(int fd, int report_fd, const Pool& how, log::Logger& log, const ConnectionHandler& handler)
        : fd_(fd), report_fd_(report_fd), how_(how), log_(log), handler_(handler) {}

    // Serves up to max_use connections, one at a time.
    int run() {
        sigset_t none;
        sigemptyset(&none);
        while (served_ < how_.max_use && !g_stop && !g_retire) {
            pollfd p{fd_, POLLIN, 0};
            if (::ppoll(&p, 1, nullptr, &none) < 0 && errno != EINTR)
                throw SysError("poll the listening socket", errno);
            if (g_stop || g_retire || !(p.revents & POLLIN)) continue;
            Fd conn(::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC));
            if (!conn && passing(errno)) continue;
            if (!conn) throw SysError("accept a connection", errno);
            serve(std::move(conn));
        }
        return EX_OK;
    }

private:
    // The connection's session, from a fresh session id; nothing of it
    // outlives this call but what the handler keeps.
    void serve(Fd conn) {
        report(report_fd_, kBusy);
        ++served_;
        log_.set_sid(log::new_id());
        log_.event(log::Level::Info, "connection",
                   {{"mode", how_.label}, {"worker", std::to_string(::getpid())}, {"served", std::to_string(served_)}});
        const int status = run_guarded(how_.program.c_str(), [&] { return handler_(conn.get()); });
        conn.reset();
        if (status != EX_OK)
            log_.event(log::Level::Warning, "connection-failed",
                       {{"mode", how_.label}, {"status", std::to_string(status)}});
        std::fflush(nullptr);
        report(report_fd_, kIdle);
    }

    int fd_, report_fd_;
    const Pool& how_;
    log::Logger& log_;
    const ConnectionHandler& handler_;
    int served_ = 0;
};

class Master {
public:
    Master(int fd, const Pool& how, log::Logger& log, const ConnectionHandler& handler)
        : fd_(fd), how_(how), log_(log), handler_(handler) {
        int p[2];
        check_sys(::pipe2(p, O_CLOEXEC | O_NONBLOCK), "make the workers' report pipe");
        reports_ = Fd(p[0]);
        report_to_ = Fd(p[1]);
    }
    int run();

private:
    struct Running {
        Child child;
        bool busy = false;
        bool leaving = false;  // told to end
        Clock::time_point idle_since = Clock::now();
    };

    int idle() const {
        return static_cast<int>(std::count_if(workers_.begin(), workers_.end(),
                                              [](const auto& w) { return !w.second.busy && !w.second.leaving; }));
    }
    bool full() const { return idle() == 0 && static_cast<int>(workers_.size()) >= how_.max_workers; }
    void keep_ready(Clock::time_point now);
    void spawn(Clock::time_point now);
    [[noreturn]] void become_worker(pid_t master);
    void retire_idle(Clock::time_point now);
    std::optional<Clock::time_point> next_wake(Clock::time_point now) const;
    void wait_for_news(Clock::time_point now);
    void turn_away(Clock::time_point now);
    void read_reports();
    void reap();
    void refuse();
    void tell_all(int sig);
    void shut_down();

    int fd_;
    const Pool& how_;
    log::Logger& log_;
    const ConnectionHandler& handler_;
    Fd reports_, report_to_;
    std::map<pid_t, Running> workers_;
    int failures_ = 0;  // workers that died in a row
    Clock::time_point next_spawn_ = Clock::now();
    std::optional<Clock::time_point> refuse_at_;  // a connection waits while every worker is busy
    bool retiring_ = false;
};

int Master::run() {
    log_.event(log::Level::Info, "workers",
               {{"mode", how_.label},
                {"ready", std::to_string(how_.workers)},
                {"max", std::to_string(how_.max_workers)},
                {"max_use", std::to_string(how_.max_use)}});
    for (;;) {
        if (g_retire && !retiring_) {
            retiring_ = true;
            tell_all(SIGQUIT);
        }
        if (g_stop || (retiring_ && workers_.empty())) break;
        const auto now = Clock::now();
        if (!retiring_) {
            retire_idle(now);
            keep_ready(now);
            turn_away(now);
        }
        wait_for_news(now);
    }
    shut_down();
    return EX_OK;
}

// Forks workers until `workers` are idle, as far as the limit and the
// back-off allow.
void Master::keep_ready(Clock::time_point now) {
    while (idle() < how_.workers && static_cast<int>(workers_.size()) < how_.max_workers && now >= next_spawn_)
        spawn(now);
}

void Master::spawn(Clock::time_point now) {
    const pid_t master = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) become_worker(master);
    if (pid < 0) {
        log_.event(log::Level::Error, "spawn-failed", {{"mode", how_.label}, {"reason", std::strerror(errno)}});
        next_spawn_ = now + std::max(restart_delay(++failures_), std::chrono::milliseconds(100));
        return;
    }
    workers_.emplace(pid, Running{Child(pid)});
}

// In the child: only _exit leaves, so nothing of the master's (its other
// workers above all) is torn down here.
void Master::become_worker(pid_t master) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != master) ::_exit(EX_OK);
    ::signal(SIGCHLD, SIG_DFL);
    reports_.reset();
    const int status =
        run_guarded(how_.program.c_str(), [&] { return Worker(fd_, report_to_.get(), how_, log_, handler_).run(); });
    std::fflush(nullptr);
    ::_exit(status);
}

// Idle workers beyond `workers`, idle for max_idle, are told to end.
void Master::retire_idle(Clock::time_point now) {
    for (auto& [pid, w] : workers_) {
        if (idle() <= how_.workers) return;
        if (w.busy || w.leaving || now - w.idle_since < how_.max_idle) continue;
        ::kill(pid, SIGQUIT);
        w.leaving = true;
    }
}

// A connection that waited kBusyWait while every worker was busy and no
// more may start hears the busy reply; one a worker frees up for in time
// is served.
constexpr auto kBusyWait = std::chrono::seconds(1);

void Master::turn_away(Clock::time_point now) {
    if (!full()) refuse_at_.reset();
    if (!refuse_at_ || now < *refuse_at_) return;
    refuse_at_.reset();
    refuse();
}

// When the loop must run again without news: a spawn held back, an idle
// worker beyond `workers` to retire, a waiting connection to turn away.
std::optional<Clock::time_point> Master::next_wake(Clock::time_point now) const {
    std::optional<Clock::time_point> at = refuse_at_;
    if (idle() < how_.workers && next_spawn_ > now) at = next_spawn_;
    if (idle() > how_.workers) {
        for (const auto& [pid, w] : workers_)
            if (!w.busy && !w.leaving && (!at || w.idle_since + how_.max_idle < *at)) at = w.idle_since + how_.max_idle;
    }
    return at;
}

// Waits for a worker's report, a signal, a due wake-up, or (when every
// worker is busy and no more may start) a connection that must wait.
void Master::wait_for_news(Clock::time_point now) {
    const bool watching = !retiring_ && full() && !refuse_at_;
    pollfd fds[2] = {{reports_.get(), POLLIN, 0}, {fd_, POLLIN, 0}};
    const auto at = next_wake(now);
    timespec wait{};
    if (at) {
        const auto ns =
            std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(*at - now).count());
        wait.tv_sec = ns / 1000000000, wait.tv_nsec = ns % 1000000000;
    }
    sigset_t none;
    sigemptyset(&none);
    const int rc = ::ppoll(fds, watching ? 2 : 1, at ? &wait : nullptr, &none);
    if (rc < 0 && errno != EINTR) throw SysError("poll the workers' reports", errno);
    read_reports();
    reap();
    if (watching && rc > 0 && (fds[1].revents & POLLIN)) refuse_at_ = Clock::now() + kBusyWait;
}

void Master::read_reports() {
    Report r{};
    while (::read(reports_.get(), &r, sizeof r) == static_cast<ssize_t>(sizeof r)) {
        auto it = workers_.find(r.pid);
        if (it == workers_.end()) continue;
        it->second.busy = r.state == kBusy;
        if (r.state != kIdle) continue;
        it->second.idle_since = Clock::now();
        failures_ = 0;  // it served a connection and lives
    }
}

void Master::reap() {
    int st = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) {
        auto it = workers_.find(pid);
        if (it == workers_.end()) continue;
        (void)it->second.child.release();
        workers_.erase(it);
        if (WIFEXITED(st) && WEXITSTATUS(st) == EX_OK) continue;
        if (g_stop) continue;
        next_spawn_ = Clock::now() + restart_delay(++failures_);
        const std::string status =
            WIFSIGNALED(st) ? "signal " + std::to_string(WTERMSIG(st)) : std::to_string(WEXITSTATUS(st));
        log_.event(log::Level::Warning, "worker-died",
                   {{"mode", how_.label},
                    {"worker", std::to_string(pid)},
                    {"status", status},
                    {"restart_ms", std::to_string(restart_delay(failures_).count())}});
    }
}

void Master::refuse() {
    Fd conn(::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return;
    (void)!::write(conn.get(), how_.busy_reply.data(), how_.busy_reply.size());
    log_.event(log::Level::Warning, "refused", {{"mode", how_.label}, {"reason", "every worker is busy"}});
}

void Master::tell_all(int sig) {
    for (auto& [pid, w] : workers_) {
        ::kill(pid, sig);
        w.leaving = true;
    }
}

// SIGTERM: each worker finishes its connection, within the grace.
void Master::shut_down() {
    log_.event(log::Level::Info, "stopping", {{"mode", how_.label}, {"workers", std::to_string(workers_.size())}});
    tell_all(SIGTERM);
    const auto deadline = Clock::now() + how_.grace;
    while (!workers_.empty() && Clock::now() < deadline) {
        reap();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    tell_all(SIGKILL);
    workers_.clear();  // each Child waits for its process
}

}  // namespace

std::chrono::milliseconds restart_delay(int failures) {
    if (failures <= 1) return std::chrono::milliseconds(0);
    constexpr std::chrono::milliseconds kFirst{100}, kMost{10000};
    const int doublings = std::min(failures - 2, 7);  // 100 ms << 7 is past the cap
    return std::min(kFirst * (1 << doublings), kMost);
}

int serve_workers(int fd, const Pool& how, log::Logger& log, const ConnectionHandler& handler) {
    detach_stdout(fd);
    check_sys(::fcntl(fd, F_SETFD, FD_CLOEXEC), "set close-on-exec");
    const int flags = ::fcntl(fd, F_GETFL);
    check_sys(flags < 0 ? -1 : ::fcntl(fd, F_SETFL, flags | O_NONBLOCK), "make the listening socket non-blocking");
    Pool pool = how;
    pool.max_workers = std::max(1, pool.max_workers);
    pool.workers = std::clamp(pool.workers, 1, pool.max_workers);
    pool.max_use = std::max(1, pool.max_use);
    g_stop = 0;
    g_retire = 0;
    install_signals();
    return Master(fd, pool, log, handler).run();
}

}  // namespace orou::listener
