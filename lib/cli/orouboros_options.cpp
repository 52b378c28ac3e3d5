#include "cli/orouboros_options.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <cstdio>
#include <cstdlib>

#include "base/error.hpp"
#include "cli/options.hpp"

namespace orou::cli {

namespace {

constexpr Spec kSpec{"orouboros", "orouboros",
                     "orouboros [--host ADDR] [--port N] [--ssl-port N] [--cert FILE --key FILE]\n"
                     "       [--delivery-domain D]... [--forward-domain D]... [--local]\n"
                     "       [--mboxdir DIR | --maildir DIR | --wmaildir DIR] [--user-credentials FILE]\n"
                     "       [--log STDERR|STDOUT|FILE] [--log-level LEVEL] [options]"};

struct Raw {
    std::string host = "127.0.0.1", port = "2500", ssl_port, cert, key, hostname;
    std::vector<std::string> delivery, forward_domains;
    bool local = false, forward = false;
    std::string forward_host, forward_port;
    std::string mboxdir, maildir, wmaildir, creds = "creds.json";
    std::string blocklist, domain_blocklist, log = "STDERR", level = "INFO", libexec;
    int max_connections = 100;
    std::size_t max_message = 25u << 20;
};

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
        ("forward", po::bool_switch(&r.forward), "forward mail for forward domains")
        ("forward-host", po::value(&r.forward_host), "home server host")
        ("forward-port", po::value(&r.forward_port), "home server port")
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

// The children's stdout is the connection: their logs go to stderr instead.
std::string child_log(const Raw& r) { return r.log == "STDOUT" ? "STDERR" : r.log; }

std::string local_route(const Raw& r) {
    std::string prog = r.libexec + "/orouboros-mbox-deliver --lmtp --log " + child_log(r) + " --log-level " + r.level;
    if (!r.mboxdir.empty()) return "exec:" + prog + " --mboxdir " + r.mboxdir;
    if (!r.maildir.empty()) return "exec:" + prog + " --maildir " + r.maildir;
    if (!r.wmaildir.empty()) return "exec:" + prog + " --wmaildir " + r.wmaildir;
    return "";
}

std::vector<std::string> smtpd_argv(const Raw& r, const char* tls) {
    std::vector<std::string> a{r.libexec + "/orouboros-smtpd", "--tls", tls, "--log", child_log(r), "--log-level", r.level,
                               "--max-message-size", std::to_string(r.max_message)};
    auto add = [&a](const char* opt, const std::string& v) {
        if (!v.empty()) a.insert(a.end(), {opt, v});
    };
    if (std::string(tls) != "none") add("--cert", r.cert), add("--key", r.key);
    add("--hostname", r.hostname);
    for (const auto& d : r.delivery) add("--delivery-domain", d);
    for (const auto& d : r.forward_domains) add("--forward-domain", d);
    add("--deliver", local_route(r));
    add("--auth", "exec:" + r.libexec + "/orouboros-authcheck --credentials " + r.creds + " --log " + child_log(r) +
                      " --log-level " + r.level);
    add("--sender-blocklist", r.blocklist);
    add("--sender-domain-blocklist", r.domain_blocklist);
    return a;
}

void check(const Raw& r) {
    if (r.forward)
        throw ExitError(EX_UNAVAILABLE, "--forward: forwarding to a home server is not available in this "
                                        "version yet (orouboros-forward is missing); nothing was started");
    if (r.cert.empty() != r.key.empty()) throw po::error("--cert and --key go together");
    if (!r.ssl_port.empty() && r.cert.empty()) throw po::error("--ssl-port needs --cert and --key");
    int dirs = !r.mboxdir.empty() + !r.maildir.empty() + !r.wmaildir.empty();
    if (dirs > 1) throw po::error("give only one of --mboxdir, --maildir, --wmaildir");
    if (r.local && dirs == 0) throw po::error("--local needs --mboxdir, --maildir or --wmaildir");
    for (const auto& s : {r.mboxdir, r.maildir, r.wmaildir, r.creds})
        if (s.find_first_of(" \t") != std::string::npos) throw po::error("paths may not contain blanks: " + s);
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
    } catch (const ExitError& e) {
        std::fprintf(stderr, "%s: %s\n", kSpec.prog, e.what());
        std::exit(e.status());
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: usage error: %s\nusage: %s\n", kSpec.prog, e.what(), kSpec.usage);
        std::exit(EX_USAGE);
    }
    make_mail_dir(r);
    if (r.libexec.empty()) r.libexec = self_dir(argv[0]);
    o.limits.max_connections = r.max_connections;
    o.log_target = r.log, o.log_level = r.level;
    const char* plain_mode = r.cert.empty() ? "none" : r.ssl_port.empty() ? "implicit" : "starttls";
    o.ports.push_back({r.host, r.port, smtpd_argv(r, plain_mode), plain_mode});
    if (!r.ssl_port.empty()) o.ports.push_back({r.host, r.ssl_port, smtpd_argv(r, "implicit"), "implicit"});
    return o;
}

}  // namespace orou::cli
