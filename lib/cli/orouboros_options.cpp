#include "cli/orouboros_options.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <cstdio>
#include <cstdlib>

#include "base/error.hpp"
#include "cli/options.hpp"
#include "cli/orouboros_raw.hpp"
#include "tls/tls.hpp"

namespace orou::cli {

namespace {

constexpr Spec kSpec{"orouboros", "orouboros",
                     "orouboros [--host ADDR] [--port N] [--ssl-port N] [--cert FILE --key FILE]\n"
                     "       [--delivery-domain D]... [--forward-domain D]... [--local]\n"
                     "       [--mboxdir DIR | --maildir DIR | --wmaildir DIR] [--user-credentials FILE]\n"
                     "       [--log STDERR|STDOUT|FILE] [--log-level LEVEL] [options]"};

using Raw = RawListenerOptions;

void add_options(po::options_description& d, Raw& r) {
    d.add_options()
        ("help,h", "show this help")
        ("config", po::value<std::string>(), "configuration file (section [orouboros])")
        ("host", po::value(&r.host)->default_value(r.host), "address to listen on")
        ("port", po::value(&r.port)->default_value(r.port), "SMTP port (STARTTLS when --ssl-port is given)")
        ("ssl-port", po::value(&r.ssl_port), "implicit TLS port")
        ("cert", po::value(&r.cert), "TLS certificate chain (PEM)")
        ("key", po::value(&r.key), "TLS private key (PEM)")
        ("hostname", po::value(&r.hostname), "name in the greeting (default: the host name)")
        ("delivery-domain", po::value(&r.delivery)->composing(), "domain delivered locally (repeatable)")
        ("forward-domain", po::value(&r.forward_domains)->composing(), "domain forwarded home (repeatable)")
        ("local", po::bool_switch(&r.local), "deliver delivery domains locally (needs a mail directory)")
        ("forward", po::bool_switch(&r.forward), "forward mail for forward domains to the home server")
        ("forward-host", po::value(&r.home.host), "home server host")
        ("forward-port", po::value(&r.home.port), "home server port")
        ("forward-tls", po::value(&r.home.tls)->default_value(r.home.tls), "implicit, starttls or none")
        ("forward-ca", po::value(&r.home.ca), "CA file that signed the home server's certificate")
        ("forward-fingerprint", po::value(&r.home.fingerprint), "SHA-256 of the home server's certificate")
        ("forward-user", po::value(&r.home.user), "user name for AUTH at the home server")
        ("forward-password-file", po::value(&r.home.password_file), "file holding that password")
        ("relay-mx", po::bool_switch(&r.relay_mx), "send authenticated mail to the recipients' MX hosts")
        ("relay-host", po::value(&r.smarthost.host), "send authenticated mail through this smarthost")
        ("relay-port", po::value(&r.smarthost.port), "smarthost port")
        ("relay-tls", po::value(&r.smarthost.tls)->default_value(r.smarthost.tls), "implicit, starttls or none")
        ("relay-ca", po::value(&r.smarthost.ca), "CA file for the smarthost's certificate")
        ("relay-fingerprint", po::value(&r.smarthost.fingerprint), "SHA-256 of the smarthost's certificate")
        ("relay-user", po::value(&r.smarthost.user), "user name for AUTH at the smarthost")
        ("relay-password-file", po::value(&r.smarthost.password_file), "file holding that password")
        ("mboxdir", po::value(&r.mboxdir), "mbox per user: DIR/<local part>/INBOX")
        ("maildir", po::value(&r.maildir), "Maildir per user: DIR/<local part>/")
        ("wmaildir", po::value(&r.wmaildir), "one Maildir for all mail")
        ("user-credentials", po::value(&r.creds)->default_value(r.creds), "credentials file")
        ("sender-blocklist", po::value(&r.blocklist), "file of refused sender addresses")
        ("sender-domain-blocklist", po::value(&r.domain_blocklist), "file of refused sender domains")
        ("max-connections", po::value(&r.max_connections)->default_value(r.max_connections), "sessions at once")
        ("max-message-size", po::value(&r.max_message)->default_value(r.max_message), "message size limit")
        ("libexec", po::value(&r.libexec), "directory of the orouboros-* programs (default: beside this one)")
        ("log", po::value(&r.log)->default_value(r.log), "STDERR, STDOUT or a file")
        ("log-level", po::value(&r.level)->default_value(r.level), "DEBUG, INFO, WARNING or ERROR");
}

std::string self_dir(const char* argv0) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string path = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string(argv0);
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

void check_upstream(const Upstream& u, const char* name) {
    std::string n(name);
    if (u.tls != "implicit" && u.tls != "starttls" && u.tls != "none")
        throw po::error("--" + n + "-tls must be implicit, starttls or none");
    if (u.user.empty() != u.password_file.empty())
        throw po::error("--" + n + "-user and --" + n + "-password-file go together");
}

void check(const Raw& r) {
    if (r.cert.empty() != r.key.empty()) throw po::error("--cert and --key go together");
    if (!r.ssl_port.empty() && r.cert.empty()) throw po::error("--ssl-port needs --cert and --key");
    int dirs = !r.mboxdir.empty() + !r.maildir.empty() + !r.wmaildir.empty();
    if (dirs > 1) throw po::error("give only one of --mboxdir, --maildir, --wmaildir");
    if (r.local && dirs == 0) throw po::error("--local needs --mboxdir, --maildir or --wmaildir");
    if (r.forward && r.home.host.empty()) throw po::error("--forward needs --forward-host");
    if (r.relay_mx && !r.smarthost.host.empty()) throw po::error("give --relay-mx or --relay-host, not both");
    check_upstream(r.home, "forward");
    check_upstream(r.smarthost, "relay");
    if (r.max_connections < 1) throw po::error("--max-connections must be at least 1");
    if (r.max_message < 1024 || r.max_message > (std::size_t{1} << 31))
        throw po::error("--max-message-size must be between 1024 and 2147483648");
    for (const auto& s : {r.mboxdir, r.maildir, r.wmaildir, r.creds, r.libexec, r.log, r.home.ca,
                          r.home.password_file, r.smarthost.ca, r.smarthost.password_file})
        if (s.find_first_of(" \t") != std::string::npos) throw po::error("paths may not contain blanks: " + s);
}

// Problems that would otherwise show only when a client connects.
void check_installation(const Raw& r) {
    bool forwards = r.forward || r.relay_mx || !r.smarthost.host.empty();
    for (const char* p : {"orouboros-smtpd", "orouboros-authcheck", "orouboros-mbox-deliver", "orouboros-forward"}) {
        if (std::string(p) == "orouboros-forward" && !forwards) continue;
        if (::access((r.libexec + "/" + p).c_str(), X_OK) != 0)
            throw ExitError(EX_UNAVAILABLE, r.libexec + "/" + p + " is missing: nothing was started");
    }
    if (!r.cert.empty()) (void)tls::make_server_ctx(r.cert, r.key);  // throws ConfigError
}

// The original program made its mail directory; so does its command line
// (orouboros-mbox-deliver itself never creates a missing mail root).
void make_mail_dir(const Raw& r) {
    const std::string& dir = !r.mboxdir.empty() ? r.mboxdir : !r.maildir.empty() ? r.maildir : "";
    if (dir.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        std::fprintf(stderr, "%s: fatal: unable to create %s: %s\n", kSpec.prog, dir.c_str(), ec.message().c_str());
        std::exit(EX_CANTCREAT);
    }
}

}  // namespace

ListenerOptions parse_orouboros(int argc, char** argv) {
    Raw r;
    po::options_description desc("Options");
    add_options(desc, r);
    parse(argc, argv, kSpec, desc);
    ListenerOptions o;
    try {
        check(r);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: usage error: %s\nusage: %s\n", kSpec.prog, e.what(), kSpec.usage);
        std::exit(EX_USAGE);
    }
    if (r.libexec.empty()) r.libexec = self_dir(argv[0]);
    try {
        check_installation(r);
    } catch (const std::exception& e) {
        auto* exit = dynamic_cast<const ExitError*>(&e);
        std::fprintf(stderr, "%s: fatal: %s\n", kSpec.prog, e.what());
        std::exit(exit ? exit->status() : EX_CONFIG);
    }
    make_mail_dir(r);
    o.limits.max_connections = r.max_connections;
    o.log_target = r.log, o.log_level = r.level;
    std::string plain_mode = r.cert.empty() ? "none" : r.ssl_port.empty() ? "implicit" : "starttls";
    o.ports.push_back({r.host, r.port, smtpd_argv(r, plain_mode), plain_mode});
    if (!r.ssl_port.empty()) o.ports.push_back({r.host, r.ssl_port, smtpd_argv(r, "implicit"), "implicit"});
    return o;
}

}  // namespace orou::cli
