// orouboros-forward's options and the configuration read from them, apart
// from the program, so that the listener's configuration check reads them
// without linking what the program runs.
#include <sysexits.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/limits.hpp"
#include "cli/options.hpp"
#include "cli/pool_options.hpp"
#include "forward/program.hpp"

namespace orou::forward {

namespace {

namespace po = cli::po;

constexpr unsigned kMaxTotalTimeout = 540;  // well under the 10 minutes a sender waits after DATA

[[noreturn]] void usage_error(const std::string& what) { throw ExitError(EX_USAGE, "usage error: " + what); }

void require(bool condition, const std::string& what) {
    if (!condition) usage_error(what);
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
    for (const char* key : {"no-dane", "no-mta-sts"})
        require(!vm[key].as<bool>(), std::string("--") + key + " is for --mx");
    for (const char* key : {"mta-sts-ca", "mta-sts-cache"})
        require(!vm.count(key), std::string("--") + key + " is for --mx");
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

// DANE and MTA-STS towards MX hosts: on where DNSSEC is validated.
void tls_policies_from(const po::variables_map& vm, Config& c) {
    const bool validated = c.destination.mx && !c.dnssec_anchor.empty();
    c.dane = validated && !vm["no-dane"].as<bool>();
    c.mta_sts = validated && !vm["no-mta-sts"].as<bool>();
    if (vm.count("mta-sts-ca")) c.sts.ca_file = vm["mta-sts-ca"].as<std::string>();
    if (vm.count("mta-sts-cache")) c.sts.cache_dir = vm["mta-sts-cache"].as<std::string>();
    c.sts.port = port(vm, "mta-sts-port", 443);
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
    return {seconds(vm, "connect-timeout"), seconds(vm, "reply-timeout"),
            seconds(vm, "upstream-timeout", kMaxTotalTimeout)};
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
        ("no-dane", po::bool_switch(), "with --mx: do not hold MX hosts to their TLSA records (DANE)")
        ("no-mta-sts", po::bool_switch(), "with --mx: do not hold MX hosts to MTA-STS policies")
        ("mta-sts-ca", po::value<std::string>(), "MTA-STS trusts this CA file, not the system store")
        ("mta-sts-cache", po::value<std::string>(), "keep MTA-STS policies in this directory")
        ("mta-sts-port", po::value<unsigned>()->default_value(443), "the HTTPS port of MTA-STS policy hosts")
        ("auth-user", po::value<std::string>(), "AUTH PLAIN or LOGIN to the upstream as NAME")
        ("auth-password-file", po::value<std::string>(), "the password: the first line of FILE")
        ("auth-credential", po::value<std::string>(), "the password: $CREDENTIALS_DIRECTORY/NAME")
        ("allow-plaintext-auth", po::bool_switch(), "send the password without TLS")
        ("helo", po::value<std::string>(), "the name for EHLO and the LMTP greeting (default: host name)")
        ("connect-timeout", po::value<unsigned>()->default_value(30), "seconds for each connection")
        ("reply-timeout", po::value<unsigned>()->default_value(120), "seconds for each reply")
        ("upstream-timeout", po::value<unsigned>()->default_value(240),
         "seconds to reach the upstream's session, and for DATA");
    // clang-format on
    cli::add_stage_options(d);
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
    tls_policies_from(vm, c);
    c.auth = auth_from(vm);
    c.timeouts = timeouts_from(vm);
    c.helo = vm.count("helo") ? vm["helo"].as<std::string>() : cli::default_hostname();
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

}  // namespace orou::forward
