#include "smtpd/program.hpp"

#include <fcntl.h>
#include <signal.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <sysexits.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.hpp"
#include "io/connect.hpp"
#include "log/log.hpp"
#include "smtpd/session.hpp"

namespace orou::smtpd {

namespace {

bool is_socket(int fd) {
    struct stat st{};
    return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

std::string sockaddr_text(int fd, std::string& port) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "unknown";
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return "unknown";
    port = serv;
    return ss.ss_family == AF_UNIX ? "local" : host;
}

Peer find_peer(int fd, int out_fd) {
    Peer peer;
    peer.in_fd = fd, peer.out_fd = out_fd;
    peer.is_socket = is_socket(fd);
    if (peer.is_socket) peer.address = sockaddr_text(fd, peer.port);
    if (!peer.is_socket) peer.address = "local";
    peer.address = env_or("REMOTE_ADDR", peer.address);
    peer.port = env_or("REMOTE_PORT", peer.port);
    return peer;
}

}  // namespace

int smtpd_main(const Options& options) {
    ::signal(SIGPIPE, SIG_IGN);
    // A backstop under every deadline: a session never outlives this.
    ::alarm(static_cast<unsigned>(options.config.limits.session.count()) + 120);

    int n = sd_listen_fds(1);
    if (n > 1) throw ConfigError("expected one connection socket from systemd, got " + std::to_string(n));
    if (n == 1 && sd_is_socket(SD_LISTEN_FDS_START, AF_UNSPEC, SOCK_STREAM, 1) > 0)
        throw ConfigError("systemd passed a listening socket: run orouboros-smtpd with Accept=yes");
    // The connection must not leak into the stages smtpd spawns.
    if (n == 1) check_sys(::fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC), "set close-on-exec");
    int in = n == 1 ? SD_LISTEN_FDS_START : 0;
    int out = n == 1 ? SD_LISTEN_FDS_START : 1;

    for (const auto* spec : {&options.config.local_route, &options.config.forward_route, &options.config.relay_route})
        if (!spec->empty()) io::check_spec(*spec);
    log::Logger logger("orouboros-smtpd", options.log_target, log::parse_level(options.log_level));
    logger.set_sid(log::new_id());
    tls::SslCtx ctx;
    if (options.config.tls != TlsMode::None) ctx = tls::make_server_ctx(options.cert_file, options.key_file);
    Peer peer = find_peer(in, out);
    std::unique_ptr<auth::Checker> checker;  // told the client's address, for its throttle
    if (!options.auth_spec.empty())
        checker = auth::make_checker(options.auth_spec, options.auth_timeout, peer.address);

    io::FdStream plain(in, out);
    Session session(options.config, Services{checker.get(), ctx.get(), logger}, plain, std::move(peer));
    session.run();
    return EX_OK;
}

}  // namespace orou::smtpd
