#include "cli/orouboros_options.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/error.hpp"
#include "cli/limit_options.hpp"
#include "cli/options.hpp"
#include "cli/orouboros_check.hpp"
#include "cli/orouboros_dkim.hpp"
#include "cli/orouboros_privsep.hpp"
#include "cli/orouboros_raw.hpp"
#include "cli/programs.hpp"
#include "io/stage_spec.hpp"
#include "tls/client.hpp"
#include "tls/tls.hpp"

namespace orou::cli {

namespace {

using Raw = RawListenerOptions;

void add_options(po::options_description& d, Raw& r) {
    // clang-format off
    d.add_options()
        ("help,h", "show this help")
        ("config", po::value<std::string>(), "configuration file (section [orouboros])")
        ("host", po::value(&r.hosts)->default_value(r.hosts, "127.0.0.1"), "address to listen on (repeatable)")
        ("port", po::value(&r.port)->default_value(r.port), "SMTP port (STARTTLS when --ssl-port is given)")
        ("ssl-port", po::value(&r.ssl_port), "implicit TLS port")
        ("submission-port", po::value(&r.submission_port), "submission port: STARTTLS, AUTH before MAIL")
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
        ("relay-mx", po::bool_switch(&r.relay_mx), "send authenticated mail to the recipients' MX hosts (default)")
        ("no-relay", po::bool_switch(&r.no_relay), "refuse authenticated mail for other domains")
        ("relay-dnssec-anchor", po::value(&r.relay_dnssec_anchor), "with --relay-mx: validate DNSSEC from FILE")
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
        ("log", po::value(&r.log)->default_value(r.log), "STDERR, STDOUT, JOURNAL, NONE or a file")
        ("log-level", po::value(&r.level)->default_value(r.level), "DEBUG, INFO, WARNING or ERROR")
        ("check-config", "check the configuration, print the routes and probe the relay; then exit");
    // clang-format on
    add_limit_options(d, r.session_limits, r.per_client);
    add_verify_options(d, r);
    add_dkim_options(d, r);
    auto user = [](std::string& v) { return po::value(&v)->default_value(v); };
    // clang-format off
    d.add_options()
        ("smtpd-user", user(r.smtpd_user), "started as root: run the sessions as USER")
        ("authcheck-user", user(r.authcheck_user), "started as root: run orouboros-authcheck as USER")
        ("deliver-user", user(r.deliver_user), "started as root: run orouboros-mbox-deliver as USER")
        ("forwarder-user", user(r.forwarder_user), "started as root: run orouboros-forward as USER")
        ("socket-dir", user(r.socket_dir), "started as root: where the stages' unix sockets are")
        ("single-user", po::bool_switch(&r.single_user), "run every part as the user that started orouboros, root too");
    // clang-format on
}

constexpr const char* kUserOptions[] = {"smtpd-user",     "authcheck-user", "deliver-user",
                                        "forwarder-user", "dkim-user",      "socket-dir"};

void check_upstream(const Upstream& u, const char* name, std::vector<std::string>& out) {
    std::string n(name);
    if (u.tls != "implicit" && u.tls != "starttls" && u.tls != "none")
        out.push_back("--" + n + "-tls must be implicit, starttls or none");
    if (u.user.empty() != u.password_file.empty())
        out.push_back("--" + n + "-user and --" + n + "-password-file go together");
    // what orouboros-forward would refuse, told now rather than at each connection
    if (!u.fingerprint.empty() && !tls::parse_fingerprint(u.fingerprint))
        out.push_back("--" + n + "-fingerprint must be a SHA-256 digest (64 hex digits, colons allowed)");
    if (!u.fingerprint.empty() && !u.ca.empty())
        out.push_back("give --" + n + "-ca or --" + n + "-fingerprint, not both");
    if ((!u.fingerprint.empty() || !u.ca.empty()) && u.tls == "none")
        out.push_back("--" + n + "-ca and --" + n + "-fingerprint need --" + n + "-tls implicit or starttls");
}

// `host = 127.0.0.1 ::1` (or with commas) is two hosts, as two lines are.
void split_hosts(Raw& r) {
    std::vector<std::string> hosts;
    for (const auto& value : r.hosts) {
        std::size_t at = 0;
        while ((at = value.find_first_not_of(" \t,", at)) != std::string::npos) {
            std::size_t end = value.find_first_of(" \t,", at);
            hosts.push_back(value.substr(at, end - at));
            at = end;
        }
    }
    r.hosts = std::move(hosts);
}

}  // namespace

std::vector<std::string> usage_problems(const Raw& r) {
    std::vector<std::string> out;
    if (r.cert.empty() != r.key.empty()) out.push_back("--cert and --key go together");
    if (!r.ssl_port.empty() && r.cert.empty()) out.push_back("--ssl-port needs --cert and --key");
    if (!r.submission_port.empty() && r.cert.empty()) out.push_back("--submission-port needs --cert and --key");
    if (r.hosts.empty()) out.push_back("--host needs an address");
    int dirs = !r.mboxdir.empty() + !r.maildir.empty() + !r.wmaildir.empty();
    if (dirs > 1) out.push_back("give only one of --mboxdir, --maildir, --wmaildir");
    if (r.local && dirs == 0) out.push_back("--local needs --mboxdir, --maildir or --wmaildir");
    if (r.forward && r.home.host.empty()) out.push_back("--forward needs --forward-host");
    if (r.relay_mx + !r.smarthost.host.empty() + r.no_relay > 1)
        out.push_back("give one of --relay-mx, --relay-host and --no-relay");
    if (!r.relay_dnssec_anchor.empty() && (r.no_relay || !r.smarthost.host.empty()))
        out.push_back("--relay-dnssec-anchor is for the MX hosts: not with --relay-host or --no-relay");
    check_upstream(r.home, "forward", out);
    check_upstream(r.smarthost, "relay", out);
    if (r.max_connections < 1) out.push_back("--max-connections must be at least 1");
    try {
        check_limit_options(r.session_limits, r.per_client);
    } catch (const po::error& e) {
        out.push_back(e.what());
    }
    if (r.max_message < 1024 || r.max_message > (std::size_t{1} << 31))
        out.push_back("--max-message-size must be between 1024 and 2147483648");
    if (r.hostname.find_first_of(" \t") != std::string::npos)
        out.push_back("--hostname may not contain blanks: " + r.hostname);
    if (r.socket_dir.empty() || r.socket_dir.size() > 80) out.push_back("--socket-dir must be 1 to 80 bytes long");
    return out;
}

namespace {

// Throws po::error with every usage problem, one a line.
void check(const Raw& r) {
    std::string all;
    for (const auto& p : usage_problems(r)) all += (all.empty() ? "" : "\n") + p;
    if (!all.empty()) throw po::error(all);
}

// The original program made its mail directory; so does its command line
// (orouboros-mbox-deliver itself never creates a missing mail root), 0700:
// only the delivery user looks inside.  Returns whether it made it now.
bool make_mail_dir(const Raw& r) {
    const std::string& dir = !r.mboxdir.empty() ? r.mboxdir : !r.maildir.empty() ? r.maildir : "";
    if (dir.empty()) return false;
    std::error_code ec;
    bool made = std::filesystem::create_directories(dir, ec);
    if (made) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    if (ec) throw SysError("unable to create " + dir, ec.value());  // EX_CANTCREAT
    return made;
}

[[noreturn]] void fail(const std::exception& e) {
    auto* exit = dynamic_cast<const ExitError*>(&e);
    auto* sys = dynamic_cast<const SysError*>(&e);
    print_fatal(kListenerSpec.prog, e.what());
    std::exit(exit ? exit->status() : sys ? EX_CANTCREAT : EX_CONFIG);
}

// Started as root, each part runs as its own user; otherwise as ours.
bool separated(const Raw& r, const po::variables_map& vm) {
    if (r.single_user) return false;
    if (::geteuid() == 0) return true;
    for (const char* key : kUserOptions)
        if (!vm[key].defaulted())
            throw ExitError(EX_NOPERM, std::string("--") + key + " needs orouboros started as root");
    return false;
}

// The sessions' ports, and the stages' when they run on unix sockets.
void add_ports(const Raw& r, const po::variables_map& vm, bool mail_dir_is_new, ListenerOptions& o) {
    bool apart = separated(r, vm);
    if (apart) o.stage_log = open_log_file(r.log);
    std::string child_log = r.log == "STDOUT" || o.stage_log ? "STDERR" : r.log;
    StageCommands commands = stage_commands(r, child_log);
    Routes routes;  // unix:PATH of each stage's port
    std::optional<listener::Identity> smtpd_user;
    if (apart) {
        Separation s = separate(r, mail_dir_is_new);
        // Before a stale socket there is removed; a reload keeps the lock it holds.
        if (!o.lock || o.lock->dir() != r.socket_dir) o.lock = std::make_shared<listener::DirLock>(r.socket_dir);
        commands.auth += " --state-dir " + io::quote_word(state_dir(r.socket_dir, s.authcheck));
        o.ports = stage_ports(r.socket_dir, commands, &s, o.stage_log.get(), r.max_connections, routes);
        smtpd_user = s.smtpd;
    } else {
        check_dkim(r, nullptr);
        if (!o.socket_dir) o.socket_dir = std::make_shared<PrivateDir>();
        commands.auth += " --state-dir " + io::quote_word(o.socket_dir->path());
        o.ports = stage_ports(o.socket_dir->path(), commands, nullptr, -1, r.max_connections, routes);
    }
    std::string plain = r.cert.empty() ? "none" : r.ssl_port.empty() ? "implicit" : "starttls";
    // Each session port's orouboros-smtpd gets the listening socket and
    // forks a ready session per connection: no exec per connection.
    // Started as root, it reads the TLS key as root, then confines itself
    // to the socket directory and becomes its user.
    auto session = [&](const std::string& port, const std::string& tls, const char* label) {
        for (const auto& host : r.hosts) {
            listener::Port p;
            p.host = host, p.port = port, p.argv = smtpd_argv(r, tls, routes, child_log), p.label = label;
            p.argv.insert(p.argv.end(), {"--max-connections", std::to_string(r.max_connections)});
            if (std::string_view(label) == "submission") p.argv.push_back("--require-auth");
            if (smtpd_user) p.argv.insert(p.argv.end(), {"--user", smtpd_user->name, "--chroot", r.socket_dir});
            p.hand_over = true;
            p.log_fd = o.stage_log.get();
            o.ports.push_back(std::move(p));
        }
    };
    session(r.port, plain, plain.c_str());
    if (!r.ssl_port.empty()) session(r.ssl_port, "implicit", "implicit");
    if (!r.submission_port.empty()) session(r.submission_port, "starttls", "submission");
}

// From the options read to the listener's: throws what goes wrong.
// `running`: the running listener's, whose socket directory and lock are kept.
ListenerOptions finish(Raw& r, const po::variables_map& vm, const char* argv0, const ListenerOptions* running) {
    if (r.libexec.empty()) r.libexec = program_dir(argv0);
    r.relay_mx = !r.no_relay && r.smarthost.host.empty();
    ListenerOptions o;
    if (running) o.socket_dir = running->socket_dir, o.lock = running->lock;
    if (auto problems = start_problems(r, separated(r, vm)); !problems.empty()) {
        std::string all;
        for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p.text;
        throw ExitError(problems.front().status, all);
    }
    bool made = make_mail_dir(r);
    add_ports(r, vm, made, o);
    o.limits.max_connections = r.max_connections;
    o.limits.per_client = r.per_client;
    o.log_target = r.log, o.log_level = r.level;
    return o;
}

}  // namespace

std::vector<std::string> listener_keys() {
    Raw r;
    po::options_description desc;
    add_options(desc, r);
    return option_names(desc);
}

ListenerOptions parse_orouboros(int argc, char** argv) {
    Raw r;
    po::options_description desc("Options");
    add_options(desc, r);
    auto vm = parse(argc, argv, kListenerSpec, desc);
    try {
        split_hosts(r);
        check(r);
    } catch (const po::error& e) {
        for (const auto& line : lines_of(e.what()))
            std::fprintf(stderr, "%s: usage error: %s\n", kListenerSpec.prog, line.c_str());
        std::fprintf(stderr, "usage: %s\n", kListenerSpec.usage);
        std::exit(EX_USAGE);
    }
    try {
        return finish(r, vm, argv[0], nullptr);
    } catch (const std::exception& e) {
        fail(e);
    }
}

int check_orouboros(int argc, char** argv, std::ostream& out) {
    Raw r;
    po::options_description desc("Options");
    add_options(desc, r);
    std::vector<Problem> problems;
    try {
        auto vm = read_options(argc, argv, kListenerSpec, desc);
        split_hosts(r);
        for (auto& p : usage_problems(r)) problems.push_back({EX_USAGE, std::move(p)});
        if (r.libexec.empty()) r.libexec = program_dir(argv[0]);
        r.relay_mx = !r.no_relay && r.smarthost.host.empty();
        print_routes(r, out);
        auto more = start_problems(r, separated(r, vm), problems.empty());  // no probe of what smtpd would refuse
        problems.insert(problems.end(), more.begin(), more.end());
    } catch (const std::exception& e) {  // the file, or a user option without root
        problems.push_back({EX_CONFIG, e.what()});
    }
    for (const auto& p : problems)
        for (const auto& line : lines_of(p.text)) out << "problem: " << line << "\n";
    out << (problems.empty() ? "configuration OK\n" : "configuration NOT OK\n");
    return problems.empty() ? EX_OK : EX_CONFIG;
}

ListenerOptions reread_orouboros(int argc, char** argv, const ListenerOptions& running) {
    Raw r;
    po::options_description desc("Options");
    add_options(desc, r);
    auto vm = read_options(argc, argv, kListenerSpec, desc);
    split_hosts(r);
    check(r);
    return finish(r, vm, argv[0], &running);
}

}  // namespace orou::cli
