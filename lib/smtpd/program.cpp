#include "smtpd/program.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <optional>

#include "base/error.hpp"
#include "io/connect.hpp"
#include "listener/heap_pack.hpp"
#include "listener/listener.hpp"
#include "log/log.hpp"
#include "smtpd/confine.hpp"
#include "smtpd/replies.hpp"
#include "smtpd/session.hpp"
#include "tls/ticket_keys.hpp"

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
    tls::ServerContext tls;
    log::Logger& logger;
    std::unique_ptr<tls::TicketKeys> tickets;  // with tls
    std::string loop_id;                       // every session forked from here shares it
    std::optional<SyscallFilter> filter;       // the session runs under it
};

// What this process cost, at debug level: its CPU, its minor page faults
// (in a forked session, mostly copies of the pages it wrote that it shared
// with its parent) and its peak RSS.
void log_cost(log::Logger& logger) {
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) != 0) return;
    const long cpu_us =
        (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    logger.event(log::Level::Debug, "session-cost",
                 {{"cpu_us", std::to_string(cpu_us)},
                  {"minor_faults", std::to_string(ru.ru_minflt)},
                  {"max_rss_kb", std::to_string(ru.ru_maxrss)}});
}

int run_session(Shared& shared, Peer peer) {
    const Options& options = shared.options;
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
    Session session(
        options.config,
        Services{checker.get(), shared.tls.offered() ? &shared.tls : nullptr, shared.logger, shared.loop_id}, plain,
        std::move(peer));
    session.run();
    log_cost(shared.logger);
    return EX_OK;
}

// SIGHUP: the certificate and key are loaded again for the connections to
// come; when they do not load, the ones loaded before stay.
void reload_certificate(Shared& shared) {
    const Options& options = shared.options;
    if (options.config.tls == TlsMode::None) return;
    try {
        tls::SslCtx ctx = tls::make_server_ctx(options.cert_file, options.key_file);
        if (shared.tickets) shared.tickets->install(ctx.get());  // tickets made before still resume
        shared.tls = tls::ServerContext(std::move(ctx));
        tls::prepare_for_fork(shared.tls.get());
        shared.logger.event(log::Level::Info, "reloaded", {{"cert", options.cert_file}});
    } catch (const std::exception& e) {
        shared.logger.event(log::Level::Error, "reload-failed", {{"reason", e.what()}});
    }
}

// A listening socket (inetd "wait", systemd Accept=no, the orouboros
// listener): each connection is served in a forked child of this ready
// process, with no exec per connection.
int serve_connections(Shared& shared, int fd) {
    listener::Forking how{"orouboros-smtpd",         "smtpd", "", shared.options.max_connections,
                          shared.options.per_client, ""};
    how.reload = [&shared] { reload_certificate(shared); };
    how.prefork = shared.options.prefork;
    // Each forked session is confined at once: one forked ahead waits for
    // its connection under the filter already.  The filter's program is
    // not freed there: freeing the parent's memory costs page copies.
    how.in_child = [&shared] {
        if (shared.filter) shared.filter->load();
    };
    // Over a limit a client is told 421; on an implicit-TLS port a reply
    // in clear would only garble the handshake, so it is closed unanswered.
    if (shared.options.config.tls != TlsMode::Implicit) {
        how.busy_reply = replies::too_many_connections.wire();
        how.client_busy_reply = replies::too_many_from_client.wire();
    }
    auto session = [&](int conn, const std::string& host, const std::string& client_port) {
        Peer peer;
        peer.address = host, peer.port = client_port;
        peer.is_socket = true, peer.in_fd = conn, peer.out_fd = conn;
        return run_session(shared, std::move(peer));
    };
    // The session-ticket keys age in this process, which every session is
    // forked from: a key a period old is replaced before the next fork.
    auto rotate = [&] {
        if (shared.tickets && shared.tickets->rotate(tls::TicketKeys::Clock::now()))
            shared.logger.event(log::Level::Info, "ticket-key", {{"result", "rotated"}});
    };
    return listener::serve_forking(fd, how, shared.logger, session, rotate);
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
    Shared shared{options, {}, logger, {}, log::new_id().substr(0, 8), {}};
    const bool listening = listener::is_listening(in);
    // OpenSSL's objects, which each TLS session writes (reference counts,
    // locks), made side by side on top of the heap, not in the holes that
    // the options left: fewer pages for a session to copy (heap_pack.hpp).
    std::optional<listener::HeapPack> pack;
    if (listening && options.config.tls != TlsMode::None) pack.emplace();
    if (options.config.tls != TlsMode::None)
        shared.tls = tls::ServerContext(tls::read_server_pem(options.cert_file, options.key_file));
    // A process that forks its sessions makes the context once, for them
    // all, with the ticket keys that let a client resume in another
    // session; so does an implicit-TLS session, which needs it at once (a
    // certificate that does not load stops either here).  A STARTTLS
    // session started per connection makes it when its client asks.
    if (shared.tls.offered() && (listening || options.config.tls == TlsMode::Implicit)) (void)shared.tls.get();
    if (listening && shared.tls.offered()) {
        shared.tickets = std::make_unique<tls::TicketKeys>(tls::kTicketKeyPeriod, tls::TicketKeys::Clock::now());
        shared.tickets->install(shared.tls.get());
        tls::prepare_for_fork(shared.tls.get());
    }
    if (listening) listener::detach_stdout(in);  // before the chroot, which has no /dev/null
    ::tzset();  // /etc/localtime, read now: neither the chroot nor the allow-list has it
    if (!options.user.empty()) drop_root(options);  // the key is loaded: root is done
    if (can_restrict(options)) shared.filter = SyscallFilter::compile();
    if (listening) return serve_connections(shared, in);
    Peer peer = find_peer(in, out);
    if (shared.filter) shared.filter->load();
    return run_session(shared, std::move(peer));
}

}  // namespace orou::smtpd
