#include "smtpd/program.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <optional>

#include "base/error.hpp"
#include "io/connect.hpp"
#include "listener/listener.hpp"
#include "log/log.hpp"
#include "smtpd/confine.hpp"
#include "smtpd/replies.hpp"
#include "smtpd/session.hpp"

namespace orou::smtpd {

namespace {

bool is_socket(int fd) {
    struct stat st {};
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

// What every session shares: built once, before the first connection.
struct Shared {
    const Options& options;
    tls::SslCtx ctx;
    log::Logger& logger;
    std::optional<SyscallFilter> filter;  // the session runs under it
};

int run_session(Shared& shared, Peer peer) {
    const Options& options = shared.options;
    if (shared.filter) shared.filter->load();
    // A backstop under every deadline: a session never outlives this.
    ::alarm(static_cast<unsigned>(options.config.limits.session.count()) + 120);
    shared.logger.set_sid(log::new_id());
    // Replies go out at once: without this, a TLS record written right after
    // another waits for the client's delayed ACK, 40 ms a turn (measured in
    // bench/).  On a socket that is not TCP this fails, harmlessly.
    int one = 1;
    if (peer.is_socket) (void)::setsockopt(peer.in_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::unique_ptr<auth::Checker> checker;  // told the client's address, for its throttle
    if (!options.auth_spec.empty()) checker = auth::make_checker(options.auth_spec, options.auth_timeout, peer.address);
    io::FdStream plain(peer.in_fd, peer.out_fd);
    Session session(options.config, Services{checker.get(), shared.ctx.get(), shared.logger}, plain, std::move(peer));
    session.run();
    return EX_OK;
}

// A listening socket (inetd "wait", systemd Accept=no, the orouboros
// listener): each connection is served in a forked child of this ready
// process, with no exec per connection.
int serve_connections(Shared& shared, int fd) {
    listener::Forking how{"orouboros-smtpd", "smtpd", "", shared.options.max_connections};
    // Over the limit a client is told 421; on an implicit-TLS port a reply
    // in clear would only garble the handshake, so it is closed unanswered.
    if (shared.options.config.tls != TlsMode::Implicit) how.busy_reply = replies::too_many_connections.wire();
    return listener::serve_forking(fd, how, shared.logger,
                                   [&](int conn, const std::string& host, const std::string& client_port) {
                                       Peer peer;
                                       peer.address = host, peer.port = client_port;
                                       peer.is_socket = true, peer.in_fd = conn, peer.out_fd = conn;
                                       return run_session(shared, std::move(peer));
                                   });
}

// A listening socket given as stdin is stdout too (the listener, inetd
// "wait"): the sessions get /dev/null there instead.
void quiet_stdout() {
    Fd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!null) throw SysError("open /dev/null", errno);
    check_sys(::dup2(null.get(), STDOUT_FILENO), "put /dev/null on stdout");
}

}  // namespace

int smtpd_main(const Options& given) {
    ::signal(SIGPIPE, SIG_IGN);
    // Close-on-exec: the connection must not leak into the stages smtpd spawns.
    const int fd = listener::systemd_socket();
    const int in = fd < 0 ? STDIN_FILENO : fd;
    const int out = fd < 0 ? STDOUT_FILENO : fd;

    for (const auto* spec : {&given.config.local_route, &given.config.forward_route, &given.config.relay_route})
        if (!spec->empty()) io::check_spec(*spec);
    log::Logger logger("orouboros-smtpd", given.log_target, log::parse_level(given.log_level));
    Options options = given;
    Shared shared{options, {}, logger, {}};
    if (options.config.tls != TlsMode::None) shared.ctx = tls::make_server_ctx(options.cert_file, options.key_file);
    const bool listening = listener::is_listening(in);
    if (listening && in == STDIN_FILENO) quiet_stdout();
    ::tzset();  // /etc/localtime, read now: neither the chroot nor the allow-list has it
    if (!options.user.empty()) drop_root(options);  // the key is loaded: root is done
    if (can_restrict(options)) shared.filter = SyscallFilter::compile();
    if (listening) return serve_connections(shared, in);
    return run_session(shared, find_peer(in, out));
}

}  // namespace orou::smtpd
