#include "forward/program.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/error.hpp"
#include "cli/pool_options.hpp"
#include "forward/lmtp_front.hpp"
#include "forward/unbound_resolver.hpp"

namespace orou::forward {

namespace {

namespace po = cli::po;

std::optional<Credentials> load_credentials(const AuthConfig& auth) {
    if (auth.user.empty()) return std::nullopt;
    const std::string path = auth.password_file.empty()
                                 ? credential_path(auth.credential, std::getenv("CREDENTIALS_DIRECTORY"))
                                 : auth.password_file;
    return Credentials{auth.user, read_password_file(path)};
}

// MTA-STS checks MX certificates against its CA store, DANE against TLSA.
tls::SslCtx client_ctx(const Config& c) {
    if (c.tls == TlsMode::None) return nullptr;
    if (c.mta_sts) return tls::make_client_ctx(tls::Verify::Chain, c.sts.ca_file, c.dane);
    return tls::make_client_ctx(c.verify, c.tls_ca, c.dane);
}

ClientPolicy policy_from(const Config& c, SSL_CTX* ctx, const std::optional<Credentials>& credentials) {
    ClientPolicy p;
    p.helo = c.helo;
    p.tls = c.tls;
    p.tls_ctx = ctx;
    p.verify = c.verify;
    p.tls_name = c.tls_name;
    p.fingerprint = c.tls_fingerprint;
    p.credentials = credentials ? &*credentials : nullptr;
    p.allow_plaintext_auth = c.auth.allow_plaintext;
    p.timeouts = c.timeouts;
    p.dane = c.dane;
    p.mta_sts = c.mta_sts ? &c.sts : nullptr;
    return p;
}

}  // namespace

namespace {

// One LMTP session on a connection, with a resolver of its own: a
// libunbound context holds pipes to its worker thread, which forked
// sessions must not share.
int serve_lmtp(int in, int out, const Config& config, const ClientPolicy& policy, log::Logger& log) {
    UnboundResolver resolver(config.resolver, config.dnssec_anchor);
    SmtpConnector connector(config.destination, policy, resolver, log);
    io::FdStream peer(in, out);
    LmtpFront(peer, connector, log, config.front).run();
    return EX_OK;
}

}  // namespace

int run(const Config& config) {
    std::signal(SIGPIPE, SIG_IGN);  // a gone peer is an EPIPE error, not a kill
    log::Logger log(kSpec.prog, config.log_target, config.log_level);
    log.set_sid(log::new_id());
    const std::optional<Credentials> credentials = load_credentials(config.auth);
    // libunbound reads the anchor only at the first query: a bad path is told now.
    if (!config.dnssec_anchor.empty() && ::access(config.dnssec_anchor.c_str(), R_OK) != 0)
        throw ConfigError("cannot read the trust anchor " + config.dnssec_anchor + ": " + std::strerror(errno));
    const tls::SslCtx ctx = client_ctx(config);
    const ClientPolicy policy = policy_from(config, ctx.get(), credentials);
    if (config.lmtp)
        return lmtp::serve_stage(config.pool, log,
                                 [&](int in, int out) { return serve_lmtp(in, out, config, policy, log); });
    UnboundResolver resolver(config.resolver, config.dnssec_anchor);
    SmtpConnector connector(config.destination, policy, resolver, log);
    io::FdStream in(STDIN_FILENO, STDOUT_FILENO);
    const io::Timer timer{config.front.idle, io::Clock::now() + config.front.session};
    return forward_from_stream(connector, log, config.request, in, timer);
}

}  // namespace orou::forward
