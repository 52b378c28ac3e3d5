#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "listener/heap_pack.hpp"
#include "listener/listener.hpp"

namespace orou::listener {

bool is_listening(int fd) {
    int on = 0;
    socklen_t len = sizeof on;
    return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

int passed_sockets(const char* listen_pid, const char* listen_fds, pid_t self) {
    if (!listen_pid || !listen_fds) return 0;
    long pid = 0, n = 0;
    const std::string_view p(listen_pid), f(listen_fds);
    if (std::from_chars(p.data(), p.data() + p.size(), pid) != std::from_chars_result{p.data() + p.size(), {}})
        throw ConfigError("LISTEN_PID is not a process id: " + std::string(p));
    if (pid != self) return 0;  // meant for another process (a parent that did not clear it)
    if (std::from_chars(f.data(), f.data() + f.size(), n) != std::from_chars_result{f.data() + f.size(), {}} || n < 0 ||
        n > 1024)
        throw ConfigError("LISTEN_FDS is not a count of sockets: " + std::string(f));
    return static_cast<int>(n);
}

// systemd's socket passing (sd_listen_fds(3), a stable interface): the
// sockets from fd 3 on, when $LISTEN_PID is this process.  Read here rather
// than with libsystemd, which would load seven libraries into every program
// started per connection for it (journal.cpp says what that costs).
int systemd_socket() {
    const int n = passed_sockets(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"), ::getpid());
    for (const char* name : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}) ::unsetenv(name);  // not for our children
    if (n == 0) return -1;
    if (n > 1) throw ConfigError("systemd must pass one socket, not " + std::to_string(n));
    check_sys(::fcntl(kFirstPassedSocket, F_SETFD, FD_CLOEXEC), "set close-on-exec");
    return kFirstPassedSocket;
}

// inetd's "wait" and the listener pass the listening socket as stdout too;
// that copy is no output, and would keep the socket listening after SIGQUIT.
void detach_stdout(int fd) {
    struct stat sock {
    }, out{};
    if (fd == STDOUT_FILENO || ::fstat(fd, &sock) != 0 || ::fstat(STDOUT_FILENO, &out) != 0) return;
    if (sock.st_dev != out.st_dev || sock.st_ino != out.st_ino) return;
    Fd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (null) check_sys(::dup2(null.get(), STDOUT_FILENO), "make /dev/null stdout");
}

int serve_forking(int fd, const Forking& how, log::Logger& log, const Handler& handler,
                  std::function<void()> before_fork) {
    detach_stdout(fd);
    // Start-up's holes filled right before the first fork, and again
    // before the first after a reload, which made new ones (heap_pack.hpp).
    std::optional<HeapPack> pack;
    Reload reload;
    if (how.reload)
        reload = [&how, &pack]() -> std::optional<PortSet> {
            how.reload();
            pack.reset();
            return std::nullopt;
        };
    check_sys(::fcntl(fd, F_SETFD, FD_CLOEXEC), "set close-on-exec");
    Port port;
    port.fd = fd;
    port.label = how.label;
    port.busy_reply = how.busy_reply;
    port.client_busy_reply = how.client_busy_reply;
    port.before_fork = [&pack, before = std::move(before_fork)] {
        if (before) before();
        if (!pack) pack.emplace();
    };
    port.prefork = how.prefork;
    port.in_child = how.in_child;
    port.handler = [&](int conn, const std::string& host, const std::string& client_port) {
        return run_guarded(how.program.c_str(), [&] {
            ::signal(SIGPIPE, SIG_IGN);  // a gone peer is an EPIPE error, not a kill
            return handler(conn, host, client_port);
        });
    };
    Limits limits;
    limits.max_connections = how.max_connections;
    limits.per_client = how.per_client;
    return serve(PortSet{{port}, limits, nullptr}, log, reload);
}

}  // namespace orou::listener
