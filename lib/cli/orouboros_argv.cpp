// From the listener's options to the orouboros-smtpd command line and the
// stages it chains: mbox-deliver (local), forward (home, relay), authcheck.
// Every program the listener runs reads no configuration file: its options
// are all on its command line.
#include "cli/orouboros_raw.hpp"

#include "cli/limit_options.hpp"
#include "io/stage_spec.hpp"

namespace orou::cli {

namespace po = boost::program_options;

namespace {

// Room for the Received header smtpd adds before the stage sees the message.
constexpr std::size_t kStageSizeMargin = 64 * 1024;

using Raw = RawListenerOptions;

// " --OPTION VALUE", the value quoted as a stage spec's word.
std::string opt(const char* option, const std::string& value) {
    return std::string(" --") + option + " " + io::quote_word(value);
}

}  // namespace

std::string stage_command(const Raw& r, const std::string& program, const std::string& log) {
    return io::quote_word(r.libexec + "/" + program) + " --config /dev/null" + opt("log", log) +
           opt("log-level", r.level);
}

namespace {

std::string local_command(const Raw& r, const std::string& log) {
    std::string s = stage_command(r, "orouboros-mbox-deliver", log) + " --lmtp --max-message-size " +
                    std::to_string(r.max_message + kStageSizeMargin);
    if (!r.mboxdir.empty()) return s + opt("mboxdir", r.mboxdir);
    if (!r.maildir.empty()) return s + opt("maildir", r.maildir);
    if (!r.wmaildir.empty()) return s + opt("wmaildir", r.wmaildir);
    return "";
}

// The name orouboros-forward gives upstream: the listener's own.
std::string helo_words(const Raw& r) { return r.hostname.empty() ? "" : opt("helo", r.hostname); }

std::string upstream_words(const Upstream& u) {
    std::string s = opt("host", u.host) + opt("tls", u.tls);
    if (!u.port.empty()) s += opt("port", u.port);
    if (!u.ca.empty()) s += opt("tls-ca", u.ca);
    if (!u.fingerprint.empty()) s += opt("tls-fingerprint", u.fingerprint);
    if (!u.user.empty()) s += opt("auth-user", u.user) + opt("auth-password-file", u.password_file);
    return s;
}

std::string forward_command(const Raw& r, const std::string& log) {
    if (!r.forward) return "";
    return stage_command(r, "orouboros-forward", log) + " --lmtp" + helo_words(r) + upstream_words(r.home);
}

std::string relay_command(const Raw& r, const std::string& log) {
    if (r.relay_mx) {
        const std::string anchor = r.relay_dnssec_anchor.empty() ? "" : opt("dnssec-anchor", r.relay_dnssec_anchor);
        return stage_command(r, "orouboros-forward", log) + " --lmtp --mx" + helo_words(r) + anchor;
    }
    if (r.smarthost.host.empty()) return "";
    return stage_command(r, "orouboros-forward", log) + " --lmtp" + helo_words(r) + upstream_words(r.smarthost);
}

// Mail from the internet (the local and forward routes) checked first.
std::string verify_command(const Raw& r, const std::string& log) {
    if (!r.verify) return "";
    std::string s = stage_command(r, "orouboros-verify", log);
    if (!r.hostname.empty()) s += opt("authserv-id", r.hostname);
    if (!r.verify_dns_server.empty()) s += opt("dns-server", r.verify_dns_server);
    if (r.verify_dmarc_reject) s += " --dmarc-reject";
    return s + " --max-message-size " + std::to_string(r.max_message + kStageSizeMargin);
}

}  // namespace

void add_verify_options(po::options_description& d, Raw& r) {
    // clang-format off
    d.add_options()
        ("verify", po::bool_switch(&r.verify), "check SPF, DKIM and DMARC on mail for the local and forward routes")
        ("verify-dns-server", po::value(&r.verify_dns_server), "with --verify: ask this DNS server, ADDR[@PORT]")
        ("verify-dmarc-reject", po::bool_switch(&r.verify_dmarc_reject),
         "with --verify: refuse what fails DMARC under p=reject");
    // clang-format on
}

route::Domains session_domains(const Raw& r) {
    route::Domains d{{}, r.forward_domains};
    auto& mine = r.forward && !r.local ? d.forward : d.delivery;
    mine.insert(mine.end(), r.delivery.begin(), r.delivery.end());
    return d;
}

void check_routes(const Raw& r) {
    const bool local = !local_command(r, "").empty();
    route::require_routes(session_domains(r),
                          {local, r.forward, "--local and --mboxdir (or --forward)", "--forward and --forward-host"});
}

StageCommands stage_commands(const Raw& r, const std::string& stage_log) {
    return {local_command(r, stage_log),
            forward_command(r, stage_log),
            relay_command(r, stage_log),
            stage_command(r, "orouboros-authcheck", stage_log) + opt("credentials", r.creds),
            relay_command(r, stage_log).empty() ? "" : dkim_sign_command(r, stage_log),
            verify_command(r, stage_log)};
}

std::vector<std::string> smtpd_argv(const Raw& r, const std::string& tls, const Routes& routes,
                                    const std::string& session_log) {
    std::vector<std::string> a{r.libexec + "/orouboros-smtpd",
                               "--config",
                               "/dev/null",
                               "--tls",
                               tls,
                               "--log",
                               session_log,
                               "--log-level",
                               r.level,
                               "--max-message-size",
                               std::to_string(r.max_message)};
    auto add = [&a](const char* opt, const std::string& v) {
        if (!v.empty()) a.insert(a.end(), {opt, v});
    };
    if (tls != "none") add("--cert", r.cert), add("--key", r.key);
    add("--hostname", r.hostname);
    const route::Domains domains = session_domains(r);
    for (const auto& d : domains.delivery) add("--delivery-domain", d);
    for (const auto& d : domains.forward) add("--forward-domain", d);
    add("--deliver", routes.local);
    add("--forward", routes.forward);
    add("--relay", routes.relay.empty() ? "none" : routes.relay);
    add("--auth", routes.auth);
    add("--sender-blocklist", r.blocklist);
    add("--sender-domain-blocklist", r.domain_blocklist);
    auto limits = limit_words(r.session_limits, r.per_client);
    a.insert(a.end(), limits.begin(), limits.end());
    return a;
}

}  // namespace orou::cli
