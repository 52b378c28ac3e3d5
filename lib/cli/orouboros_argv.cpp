// From the listener's options to the orouboros-smtpd command line and the
// stages it chains: mbox-deliver (local), forward (home, relay), authcheck.
#include "cli/orouboros_raw.hpp"

namespace orou::cli {

namespace {

// Room for the Received header smtpd adds before the stage sees the message.
constexpr std::size_t kStageSizeMargin = 64 * 1024;

using Raw = RawListenerOptions;

// The children's stdout is the connection: their logs go to stderr instead.
std::string child_log(const Raw& r) { return r.log == "STDOUT" ? "STDERR" : r.log; }

std::string stage(const Raw& r, const std::string& program) {
    return "exec:" + r.libexec + "/" + program + " --log " + child_log(r) + " --log-level " + r.level;
}

std::string local_route(const Raw& r) {
    std::string s = stage(r, "orouboros-mbox-deliver") + " --lmtp --max-message-size " +
                    std::to_string(r.max_message + kStageSizeMargin);
    if (!r.mboxdir.empty()) return s + " --mboxdir " + r.mboxdir;
    if (!r.maildir.empty()) return s + " --maildir " + r.maildir;
    if (!r.wmaildir.empty()) return s + " --wmaildir " + r.wmaildir;
    return "";
}

std::string upstream_words(const Upstream& u) {
    std::string s = " --host " + u.host + " --tls " + u.tls;
    if (!u.port.empty()) s += " --port " + u.port;
    if (!u.ca.empty()) s += " --tls-ca " + u.ca;
    if (!u.fingerprint.empty()) s += " --tls-fingerprint " + u.fingerprint;
    if (!u.user.empty()) s += " --auth-user " + u.user + " --auth-password-file " + u.password_file;
    return s;
}

std::string forward_route(const Raw& r) {
    if (!r.forward) return "";
    return stage(r, "orouboros-forward") + " --lmtp" + upstream_words(r.home);
}

std::string relay_route(const Raw& r) {
    if (r.relay_mx) return stage(r, "orouboros-forward") + " --lmtp --mx";
    if (r.smarthost.host.empty()) return "";
    return stage(r, "orouboros-forward") + " --lmtp" + upstream_words(r.smarthost);
}

}  // namespace

std::vector<std::string> smtpd_argv(const Raw& r, const std::string& tls) {
    std::vector<std::string> a{r.libexec + "/orouboros-smtpd", "--tls", tls, "--log", child_log(r), "--log-level",
                               r.level, "--max-message-size", std::to_string(r.max_message)};
    auto add = [&a](const char* opt, const std::string& v) {
        if (!v.empty()) a.insert(a.end(), {opt, v});
    };
    if (tls != "none") add("--cert", r.cert), add("--key", r.key);
    add("--hostname", r.hostname);
    for (const auto& d : r.delivery) add("--delivery-domain", d);
    for (const auto& d : r.forward_domains) add("--forward-domain", d);
    add("--deliver", local_route(r));
    add("--forward", forward_route(r));
    add("--relay", relay_route(r));
    add("--auth", stage(r, "orouboros-authcheck") + " --credentials " + r.creds);
    add("--sender-blocklist", r.blocklist);
    add("--sender-domain-blocklist", r.domain_blocklist);
    return a;
}

}  // namespace orou::cli
