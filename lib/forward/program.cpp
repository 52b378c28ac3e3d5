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

constexpr unsigned kMaxTotalTimeout = 540;  // well under the 10 minutes a sender waits after DATA

[[noreturn]] void usage_error(const std::string& what) { throw ExitError(EX_USAGE, "usage error: " + what); }

void require(bool condition, const std::string& what) {
    if (!condition) usage_error(what);
}

std::string default_hostname() {
    char name[256] = {};
    check_sys(::gethostname(name, sizeof name - 1), "get the host name");
    return name;
}

std::chrono::seconds seconds(const po::variables_map& vm, const char* key, unsigned max = 86400) {
    const unsigned n = vm[key].as<unsigned>();
    require(n >= 1 && n <= max, std::string("--") + key + " must be between 1 and " + std::to_string(max));
    return std::chrono::seconds(n);
}

std::uint16_t port(const po::variables_map& vm, const char* key, unsigned fallback) {
    const unsigned n = vm.count(key) ? vm[key].as<unsigned>() : fallback;
    require(n >= 1 && n <= 65535, std::string("--") + key + " must be a port number");
    return static_cast<std::uint16_t>(n);
}

TlsMode tls_mode(const std::string& s) {
    if (s == "none") return TlsMode::None;
    if (s == "opportunistic") return TlsMode::Opportunistic;
    if (s == "starttls") return TlsMode::StartTls;
    if (s == "implicit") return TlsMode::Implicit;
    usage_error("--tls must be implicit, starttls, opportunistic or none");
}

// --mx: opportunistic STARTTLS, or required with --require-tls; never verified.
void mx_from(const po::variables_map& vm, Config& c) {
    for (const char* key : {"tls-ca", "tls-fingerprint", "tls-name", "auth-user", "port"})
        require(!vm.count(key), std::string("--") + key + " is for a fixed upstream (--host), not --mx");
    require(vm["tls"].defaulted(), "--tls is for a fixed upstream (--host); use --require-tls with --mx");
    c.destination.mx = true;
    c.destination.mx_port = port(vm, "mx-port", 25);
    c.tls = vm["require-tls"].as<bool>() ? TlsMode::StartTls : TlsMode::Opportunistic;
    c.verify = tls::Verify::None;
}

// --host: --tls, verified against the system store, --tls-ca or a pin.
void host_from(const po::variables_map& vm, Config& c) {
    require(!vm["require-tls"].as<bool>(), "--require-tls is for --mx; use --tls starttls or implicit");
    require(vm["mx-port"].defaulted(), "--mx-port is for --mx; use --port");
    c.destination.host = vm["host"].as<std::string>();
    require(!c.destination.host.empty(), "empty --host");
    c.tls = tls_mode(vm["tls"].as<std::string>());
    c.destination.port = port(vm, "port", c.tls == TlsMode::Implicit ? 465 : 25);
    if (vm.count("tls-ca")) c.tls_ca = vm["tls-ca"].as<std::string>();
    if (vm.count("tls-name")) c.tls_name = vm["tls-name"].as<std::string>();
    const bool checked = vm.count("tls-ca") || vm.count("tls-fingerprint");
    require(!checked || c.tls == TlsMode::StartTls || c.tls == TlsMode::Implicit,
            "--tls-ca and --tls-fingerprint need --tls starttls or implicit");
    if (!vm.count("tls-fingerprint")) return;
    require(!vm.count("tls-ca"), "give --tls-ca or --tls-fingerprint, not both");
    auto pin = tls::parse_fingerprint(vm["tls-fingerprint"].as<std::string>());
    require(pin.has_value(), "--tls-fingerprint must be a SHA-256 digest (64 hex digits, colons allowed)");
    c.tls_fingerprint = *pin;
    c.verify = tls::Verify::Fingerprint;
}

AuthConfig auth_from(const po::variables_map& vm) {
    AuthConfig a;
    auto get = [&](const char* key) { return vm.count(key) ? vm[key].as<std::string>() : std::string(); };
    a.user = get("auth-user");
    a.password_file = get("auth-password-file");
    a.credential = get("auth-credential");
    a.allow_plaintext = vm["allow-plaintext-auth"].as<bool>();
    const int sources = !a.password_file.empty() + !a.credential.empty();
    if (a.user.empty()) require(sources == 0, "--auth-password-file and --auth-credential need --auth-user");
    else require(sources == 1, "--auth-user needs one of --auth-password-file and --auth-credential");
    return a;
}

Timeouts timeouts_from(const po::variables_map& vm) {
    return {seconds(vm, "connect-timeout"), seconds(vm, "reply-timeout"), seconds(vm, "timeout", kMaxTotalTimeout)};
}

std::optional<Credentials> load_credentials(const AuthConfig& auth) {
    if (auth.user.empty()) return std::nullopt;
    const std::string path = auth.password_file.empty()
                                 ? credential_path(auth.credential, std::getenv("CREDENTIALS_DIRECTORY"))
                                 : auth.password_file;
    return Credentials{auth.user, read_password_file(path)};
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
    return p;
}

}  // namespace

po::options_description options() {
    po::options_description d("options");
    // clang-format off
    d.add_options()
        ("help,h", "show this help and exit")
        ("config", po::value<std::string>(), "read options from FILE (section [forward])")
        ("section", po::value<std::string>(), "read section [NAME] of FILE instead, e.g. relay")
        ("lmtp", po::bool_switch(), "speak LMTP on stdin/stdout (or on the socket systemd passes)")
        ("from,f", po::value<std::string>()->default_value(""), "envelope sender; empty or <> for none")
        ("recipient", po::value<std::vector<std::string>>(), "a recipient (also given as operands)")
        ("host", po::value<std::string>(), "the fixed upstream: a host name or an IP address")
        ("port", po::value<unsigned>(), "its port (default 25, or 465 with --tls implicit)")
        ("mx", po::bool_switch(), "deliver to the recipient domain's mail exchangers")
        ("mx-port", po::value<unsigned>()->default_value(25), "the port of the mail exchangers")
        ("resolver", po::value<std::string>(), "send DNS queries to ADDR[@PORT], not the system's resolvers")
        ("dnssec-anchor", po::value<std::string>(), "validate DNSSEC from this trust anchor file (DS or DNSKEY)")
        ("tls", po::value<std::string>()->default_value("starttls"), "implicit, starttls, opportunistic or none")
        ("tls-ca", po::value<std::string>(), "verify the upstream against this CA file, not the system store")
        ("tls-fingerprint", po::value<std::string>(), "accept only this SHA-256 certificate fingerprint")
        ("tls-name", po::value<std::string>(), "the name the certificate must hold (default: --host)")
        ("require-tls", po::bool_switch(), "with --mx: deliver only over STARTTLS")
        ("auth-user", po::value<std::string>(), "AUTH PLAIN or LOGIN to the upstream as NAME")
        ("auth-password-file", po::value<std::string>(), "the password: the first line of FILE")
        ("auth-credential", po::value<std::string>(), "the password: $CREDENTIALS_DIRECTORY/NAME")
        ("allow-plaintext-auth", po::bool_switch(), "send the password without TLS")
        ("helo", po::value<std::string>(), "the name for EHLO and the LMTP greeting (default: host name)")
        ("connect-timeout", po::value<unsigned>()->default_value(30), "seconds for each connection")
        ("reply-timeout", po::value<unsigned>()->default_value(120), "seconds for each reply")
        ("timeout", po::value<unsigned>()->default_value(240), "seconds to reach a session, and for DATA")
        ("idle-timeout", po::value<unsigned>()->default_value(300), "seconds the input may stay silent")
        ("session-timeout", po::value<unsigned>()->default_value(1800), "seconds an LMTP session may last")
        ("max-message-size", po::value<std::size_t>()->default_value(25u << 20), "largest message, bytes")
        ("log", po::value<std::string>()->default_value("STDERR"), "STDERR, STDOUT, NONE or a file")
        ("log-level", po::value<std::string>()->default_value("INFO"), "DEBUG, INFO, WARNING or ERROR");
    // clang-format on
    cli::add_pool_options(d);
    return d;
}

po::positional_options_description positional() {
    po::positional_options_description p;
    p.add("recipient", -1);
    return p;
}

Config config_from(const po::variables_map& vm) {
    Config c;
    require(vm.count("host") + vm["mx"].as<bool>() == 1, "give exactly one of --host and --mx");
    if (vm["mx"].as<bool>()) mx_from(vm, c);
    else host_from(vm, c);
    if (vm.count("resolver")) c.resolver = vm["resolver"].as<std::string>();
    if (vm.count("dnssec-anchor")) c.dnssec_anchor = vm["dnssec-anchor"].as<std::string>();
    require(!vm.count("dnssec-anchor") || !c.dnssec_anchor.empty(), "empty --dnssec-anchor");
    c.auth = auth_from(vm);
    c.timeouts = timeouts_from(vm);
    c.helo = vm.count("helo") ? vm["helo"].as<std::string>() : default_hostname();
    c.lmtp = vm["lmtp"].as<bool>();
    if (vm.count("recipient")) c.request.rcpts = vm["recipient"].as<std::vector<std::string>>();
    require(!c.lmtp || c.request.rcpts.empty(), "no recipients with --lmtp");
    require(c.lmtp || !c.request.rcpts.empty(), "no recipients");
    c.request.sender = vm["from"].as<std::string>();
    c.request.max_message = vm["max-message-size"].as<std::size_t>();
    c.front.hostname = c.helo;
    c.front.max_message = c.request.max_message;
    c.front.idle = seconds(vm, "idle-timeout");
    c.front.session = seconds(vm, "session-timeout");
    c.pool = cli::pool_from(vm, kSpec.prog);
    c.log_target = vm["log"].as<std::string>();
    c.log_level = log::parse_level(vm["log-level"].as<std::string>());
    return c;
}

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
    const tls::SslCtx ctx = config.tls == TlsMode::None ? nullptr : tls::make_client_ctx(config.verify, config.tls_ca);
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
