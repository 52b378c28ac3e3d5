#include "listener/listener.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
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

// The path of a unix socket the listener bound: removed when it stops.
class SocketFile {
public:
    explicit SocketFile(std::string path) : path_(std::move(path)) {}
    SocketFile(SocketFile&& o) noexcept : path_(std::exchange(o.path_, {})) {}
    SocketFile(const SocketFile&) = delete;
    SocketFile& operator=(const SocketFile&) = delete;
    ~SocketFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }

    // Removes a socket an earlier run left at `path`; anything else stays.
    static void remove_stale(const std::string& path) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
    }

private:
    std::string path_;
};

// Made 0600 (the umask covers the bind), then given to the group, 0660.
Fd bind_unix(const Port& p, std::vector<SocketFile>& files) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (p.path.size() >= sizeof sa.sun_path) throw ConfigError("socket path too long: " + p.path);
    std::memcpy(sa.sun_path, p.path.data(), p.path.size());
    Fd fd(static_cast<int>(check_sys(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "create a socket")));
    SocketFile::remove_stale(p.path);
    mode_t old = ::umask(0177);
    int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::umask(old);
    check_sys(rc, "bind " + p.path);
    files.emplace_back(p.path);
    if (::geteuid() == 0) check_sys(::chown(p.path.c_str(), 0, p.socket_group), "give " + p.path + " to its group");
    check_sys(::chmod(p.path.c_str(), 0660), "set the mode of " + p.path);
    check_sys(::listen(fd.get(), 128), "listen on " + p.path);
    return fd;
}

void install_signals() {
    struct sigaction sa {};
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

using Clock = std::chrono::steady_clock;

// How long a port's program waits to be started again after it ended.
constexpr auto kRestartDelay = std::chrono::seconds(1);

class Server {
public:
    Server(const std::vector<Port>& ports, const Limits& limits, log::Logger& log)
        : ports_(ports), limits_(limits), log_(log), restart_at_(ports.size()) {}
    int run();

private:
    enum class Kind { Session, Stage, Keeper };
    struct Running {
        Child child;
        Kind kind;
        std::size_t port;
    };

    void bind_all();
    void keep_running(Clock::time_point now);
    void accept_one(std::size_t index);
    bool over_limit(const Port& p, const std::string& client);
    Child start(const Port& p, int conn, const std::string& host, const std::string& port);
    Child fork_handler(const Port& p, int conn, const std::string& host, const std::string& port);
    void reap();
    void log_killed(const Running& ended, int sig);
    void shut_down();

    const std::vector<Port>& ports_;
    const Limits& limits_;
    log::Logger& log_;
    std::vector<SocketFile> files_;  // destroyed after socks_: closed, then removed
    std::vector<Fd> socks_;
    std::map<pid_t, Running> children_;
    std::vector<std::optional<Clock::time_point>> restart_at_;  // hand_over ports not running
    int sessions_ = 0, stages_ = 0;
};

void Server::bind_all() {
    for (const auto& p : ports_) {
        std::string user = p.user ? p.user->name : "";
        if (p.fd >= 0) {
            socks_.emplace_back(p.fd);
            log_.event(log::Level::Info, "listening", {{"fd", std::to_string(p.fd)}, {"mode", p.label}});
            continue;
        }
        socks_.push_back(p.is_unix() ? bind_unix(p, files_) : bind_port(p));
        if (p.is_unix())
            log_.event(log::Level::Info, "listening", {{"path", p.path}, {"mode", p.label}, {"user", user}});
        else
            log_.event(log::Level::Info, "listening",
                       {{"address", p.host}, {"port", p.port}, {"mode", p.label}, {"user", user}});
    }
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
            children_.emplace(pid, Running{std::move(child), Kind::Keeper, i});
        } catch (const SysError& e) {
            log_.event(log::Level::Error, "spawn-failed", {{"reason", e.what()}});
            restart_at_[i] = now + kRestartDelay;
        }
    }
}

int Server::run() {
    bind_all();
    sigset_t none;
    sigemptyset(&none);
    std::vector<pollfd> fds;
    std::vector<std::size_t> index;  // fds[k] is ports_[index[k]]
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        if (ports_[i].hand_over) {
            restart_at_[i] = Clock::now();
            continue;
        }
        fds.push_back({socks_[i].get(), POLLIN, 0});
        index.push_back(i);
    }
    while (!g_stop) {
        auto now = Clock::now();
        keep_running(now);
        std::optional<Clock::time_point> next;
        for (const auto& at : restart_at_)
            if (at && (!next || *at < *next)) next = at;
        timespec wait{};
        if (next) {
            auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*next - now).count();
            wait.tv_sec = ns / 1000000000, wait.tv_nsec = ns % 1000000000;
        }
        int rc = ::ppoll(fds.data(), fds.size(), next ? &wait : nullptr, &none);
        int err = errno;
        reap();
        if (rc < 0 && err == EINTR) continue;
        errno = err;
        check_sys(rc, "poll the listening sockets");
        for (std::size_t k = 0; k < fds.size(); ++k)
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

// The child closes the listening sockets (no exec closes them for it) and
// runs the handler; only _exit leaves it, so nothing of the server's state
// is torn down twice.
Child Server::fork_handler(const Port& p, int conn, const std::string& host, const std::string& port) {
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork", errno);
    if (pid > 0) return Child(pid);
    reset_signals();
    for (const auto& s : socks_) ::close(s.get());
    int status = run_guarded("orouboros", [&] { return p.handler(conn, host, port); });
    std::fflush(nullptr);
    ::_exit(status);
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
    if (over_limit(p, host)) {
        (void)!::write(conn.get(), p.busy_reply.data(), p.busy_reply.size());
        return;
    }
    try {
        Child child = start(p, conn.get(), host, port);
        pid_t pid = child.pid();
        children_.emplace(pid, Running{std::move(child), p.is_unix() ? Kind::Stage : Kind::Session, index});
        ++(p.is_unix() ? stages_ : sessions_);
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
        Running& ended = it->second;
        (void)ended.child.release();
        if (ended.kind == Kind::Keeper) {
            log_.event(g_stop ? log::Level::Info : log::Level::Warning, "ended",
                       {{"mode", ports_[ended.port].label},
                        {"status", WIFSIGNALED(st) ? "signal " + std::to_string(WTERMSIG(st))
                                                   : std::to_string(WEXITSTATUS(st))}});
            if (!g_stop) restart_at_[ended.port] = Clock::now() + kRestartDelay;
        } else {
            --(ended.kind == Kind::Stage ? stages_ : sessions_);
            if (WIFSIGNALED(st)) log_killed(ended, WTERMSIG(st));
        }
        children_.erase(it);
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

}  // namespace

bool is_listening(int fd) {
    int on = 0;
    socklen_t len = sizeof on;
    return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

int systemd_socket() {
    const int n = sd_listen_fds(1);
    if (n < 0) throw SysError("read the sockets passed by systemd", -n);
    if (n == 0) return -1;
    if (n > 1) throw ConfigError("systemd must pass one socket, not " + std::to_string(n));
    check_sys(::fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC), "set close-on-exec");
    return SD_LISTEN_FDS_START;
}

int serve_forking(int fd, const Forking& how, log::Logger& log, const Handler& handler) {
    check_sys(::fcntl(fd, F_SETFD, FD_CLOEXEC), "set close-on-exec");
    Port port;
    port.fd = fd;
    port.label = how.label;
    port.busy_reply = how.busy_reply;
    port.handler = [&](int conn, const std::string& host, const std::string& client_port) {
        return run_guarded(how.program.c_str(), [&] {
            ::signal(SIGPIPE, SIG_IGN);  // a gone peer is an EPIPE error, not a kill
            return handler(conn, host, client_port);
        });
    };
    Limits limits;
    limits.max_connections = how.max_connections;
    return serve({port}, limits, log);
}

int serve(const std::vector<Port>& ports, const Limits& limits, log::Logger& log) {
    g_stop = 0;
    install_signals();
    Server server(ports, limits, log);
    return server.run();
}

}  // namespace orou::listener
