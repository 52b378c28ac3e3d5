#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "listener/listener.hpp"

namespace orou::listener {

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
    Reload reload;
    if (how.reload)
        reload = [&how]() -> std::optional<PortSet> {
            how.reload();
            return std::nullopt;
        };
    check_sys(::fcntl(fd, F_SETFD, FD_CLOEXEC), "set close-on-exec");
    Port port;
    port.fd = fd;
    port.label = how.label;
    port.busy_reply = how.busy_reply;
    port.client_busy_reply = how.client_busy_reply;
    port.before_fork = std::move(before_fork);
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
