#include "cli/smtpd_options.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/error.hpp"
#include "cli/limit_options.hpp"
#include "cli/options.hpp"
#include "cli/programs.hpp"
#include "io/stage_spec.hpp"

namespace orou::cli {

namespace {

void add_options(po::options_description& d, smtpd::Options& o) {
    auto& c = o.config;
    auto& l = c.limits;
    // clang-format off
    d.add_options()
        ("help,h", "show this help")
        ("config", po::value<std::string>(), "configuration file (section [smtpd])")
        ("hostname", po::value(&c.hostname)->default_value(default_hostname()), "name in the greeting and Received")
        ("tls", po::value<std::string>()->default_value("none"), "none, starttls or implicit")
        ("cert", po::value(&o.cert_file), "TLS certificate chain (PEM)")
        ("key", po::value(&o.key_file), "TLS private key (PEM)")
        ("delivery-domain", po::value(&c.domains.delivery)->composing(), "domain delivered locally (repeatable)")
        ("forward-domain", po::value(&c.domains.forward)->composing(), "domain forwarded home (repeatable)")
        ("deliver", po::value(&c.local_route), "local delivery stage (exec:, unix: or lmtp: spec)")
        ("forward", po::value(&c.forward_route), "route to the home server (spec)")
        ("relay", po::value(&c.relay_route), "outbound route for authenticated clients: a spec, mx or none")
        ("auth", po::value(&o.auth_spec), "authentication checker (exec: or unix: spec)")
        ("auth-timeout", po::value<long>()->default_value(30), "seconds to wait for the checker")
        ("allow-plaintext-auth", po::bool_switch(&c.allow_plaintext_auth), "offer AUTH without TLS")
        ("require-auth", po::bool_switch(&c.require_auth), "refuse MAIL before AUTH (submission)")
        ("keep-submitter-address", po::bool_switch(&c.keep_submitter_address), "name authenticated clients in Received")
        ("sender-blocklist", po::value<std::string>(), "file of refused sender addresses")
        ("sender-domain-blocklist", po::value<std::string>(), "file of refused sender domains")
        ("log", po::value(&o.log_target)->default_value("STDERR"), "STDERR, STDOUT, NONE or a file")
        ("log-level", po::value(&o.log_level)->default_value("INFO"), "DEBUG, INFO, WARNING or ERROR")
        ("max-line-length", po::value(&l.max_line)->default_value(l.max_line), "command line limit, bytes")
        ("max-text-line-length", po::value(&l.max_text_line)->default_value(l.max_text_line), "message line limit")
        ("max-message-size", po::value(&l.max_message)->default_value(l.max_message), "message size limit, bytes")
        ("max-recipients", po::value(&l.max_rcpts)->default_value(l.max_rcpts), "recipients per message")
        ("max-auth-failures", po::value(&l.max_auth_failures)->default_value(l.max_auth_failures), "failed AUTH before disconnect")
        ("idle-timeout", po::value<long>()->default_value(300), "seconds a client may stay silent")
        ("session-timeout", po::value<long>()->default_value(1800), "seconds a session may last")
        ("next-hop-timeout", po::value<long>()->default_value(280), "seconds to wait for a next hop's reply")
        ("max-connections", po::value(&o.max_connections)->default_value(o.max_connections),
         "sessions at once on a listening socket")
        ("prefork", po::value(&o.prefork)->default_value(o.prefork),
         "sessions kept forked ahead on a listening socket")
        ("user", po::value(&o.user), "started as root: load the key, then run as USER")
        ("chroot", po::value(&o.chroot_dir), "with --user: confine the sessions to DIR");
    // clang-format on
    add_limit_options(d, l, o.per_client);
}

constexpr std::size_t kMaxLimit = 1u << 20;
constexpr int kMaxPrefork = 64;

smtpd::TlsMode tls_mode(const std::string& s) {
    if (s == "none") return smtpd::TlsMode::None;
    if (s == "starttls") return smtpd::TlsMode::StartTls;
    if (s == "implicit") return smtpd::TlsMode::Implicit;
    throw po::error("--tls must be none, starttls or implicit");
}

std::chrono::seconds seconds(const po::variables_map& vm, const char* key) {
    long v = vm[key].as<long>();
    if (v <= 0) throw po::error(std::string("--") + key + " must be positive");
    return std::chrono::seconds(v);
}

// Room for the Received header this program adds before the stage sees a message.
constexpr std::size_t kStageSizeMargin = 64 * 1024;

// --relay mx (the default): orouboros-forward --mx beside this program, as
// Postfix and OpenSMTPD send to the recipient domain's MX hosts; none: refused.
void relay_route(const po::variables_map& vm, const char* argv0, smtpd::Options& o) {
    auto& c = o.config;
    if (c.relay_route == "none") return c.relay_route.clear();
    if (vm.count("relay") && c.relay_route != "mx") return;
    c.relay_route = io::exec_spec({program_dir(argv0) + "/orouboros-forward", "--config", "/dev/null", "--lmtp", "--mx",
                                   "--helo", c.hostname, "--log", o.log_target, "--log-level", o.log_level,
                                   "--max-message-size", std::to_string(c.limits.max_message + kStageSizeMargin)});
}

void finish(const po::variables_map& vm, const char* argv0, smtpd::Options& o) {
    auto& c = o.config;
    c.tls = tls_mode(vm["tls"].as<std::string>());
    if (c.tls != smtpd::TlsMode::None && (o.cert_file.empty() || o.key_file.empty()))
        throw po::error("--tls " + vm["tls"].as<std::string>() + " needs --cert and --key");
    c.limits.idle = seconds(vm, "idle-timeout");
    c.limits.session = seconds(vm, "session-timeout");
    c.hop_timeouts.command = seconds(vm, "next-hop-timeout");
    o.auth_timeout = seconds(vm, "auth-timeout");
    if (vm.count("sender-blocklist")) c.blocked_senders = read_list_file(vm["sender-blocklist"].as<std::string>());
    if (vm.count("sender-domain-blocklist"))
        c.blocked_sender_domains = read_list_file(vm["sender-domain-blocklist"].as<std::string>());
    const auto& l = c.limits;
    if (l.max_line < 512 || l.max_text_line < 1000 || l.max_line > kMaxLimit || l.max_text_line > kMaxLimit)
        throw po::error("line limits must be between the RFC 5321 minimums (512, 1000) and 1 MiB");
    if (l.max_message < 1024 || l.max_message > (std::size_t{1} << 31))
        throw po::error("--max-message-size must be between 1024 and 2147483648");
    if (l.max_rcpts < 1 || l.max_rcpts > 100000 || l.max_auth_failures < 1)
        throw po::error("--max-recipients and --max-auth-failures must be at least 1");
    check_limit_options(l, o.per_client);
    if (o.max_connections < 1) throw po::error("--max-connections must be at least 1");
    if (o.prefork < 0 || o.prefork > kMaxPrefork) throw po::error("--prefork must be between 0 and 64");
    if (!o.chroot_dir.empty() && o.user.empty()) throw po::error("--chroot needs --user");
    if (o.log_target == "STDOUT") o.log_target = "STDERR";  // stdout may be the connection
    relay_route(vm, argv0, o);
    route::require_routes(c.domains, {!c.local_route.empty(), !c.forward_route.empty()});
}

}  // namespace

std::vector<std::string> smtpd_keys() {
    smtpd::Options o;
    po::options_description desc;
    add_options(desc, o);
    return option_names(desc);
}

smtpd::Options parse_smtpd(int argc, char** argv) {
    smtpd::Options o;
    po::options_description desc("Options");
    add_options(desc, o);
    auto vm = parse(argc, argv, kSmtpdSpec, desc);
    try {
        finish(vm, argv[0], o);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: usage error: %s\n", kSmtpdSpec.prog, e.what());
        std::exit(EX_USAGE);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: fatal: %s\n", kSmtpdSpec.prog, e.what());
        std::exit(EX_CONFIG);
    }
    return o;
}

}  // namespace orou::cli
