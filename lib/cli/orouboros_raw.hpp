// The options of `orouboros` as given, shared by the files that parse them
// and turn them into the listener's ports: orouboros-smtpd command lines,
// and the stages those sessions reach (spawned, or on unix sockets).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "base/limits.hpp"
#include "listener/clients.hpp"
#include "route/router.hpp"
#include "smtpd/config.hpp"

namespace orou::cli {

struct Upstream {  // the home server (forward) or the smarthost (relay)
    std::string host, port, tls, ca, fingerprint, user, password_file;
};

struct RawListenerOptions {
    std::vector<std::string> hosts{"127.0.0.1"};  // every port is bound on each
    std::string port = "2500", ssl_port, submission_port, cert, key, hostname;
    std::vector<std::string> delivery, forward_domains;
    // relay_mx: authenticated mail for other domains goes to their MX hosts,
    // the default unless --relay-host or --no-relay (refused) is given.
    bool local = false, forward = false, relay_mx = false, no_relay = false;
    std::string relay_dnssec_anchor;  // with relay_mx: DNSSEC trust anchors
    Upstream home{"", "", "implicit", "", "", "", ""};
    Upstream smarthost{"", "", "starttls", "", "", "", ""};
    std::string mboxdir, maildir, wmaildir, creds = "creds.json";
    std::string blocklist, domain_blocklist, log = "STDERR", level = "INFO", libexec;
    int max_connections = 100;
    std::size_t max_message = kDefaultMaxMessage;
    smtpd::Limits session_limits;       // errors and junk commands, passed on to orouboros-smtpd
    listener::ClientLimits per_client;  // so are the limits per client address
    // Started as root: each part runs as its own user, the stages on unix
    // sockets in socket_dir; --single-user keeps everything in one user.
    std::string smtpd_user = "orouboros-smtpd", authcheck_user = "orouboros-authcheck";
    std::string deliver_user = "orouboros-mail", forwarder_user = "orouboros-forward";
    std::string socket_dir = "/run/orouboros";
    bool single_user = false;
    // --dkim-key DOMAIN:SELECTOR:KEYFILE: the relay route goes through
    // orouboros-dkim-sign (cli/orouboros_dkim.cpp), as dkim_user.
    std::vector<std::string> dkim_keys;
    std::string dkim_user = "orouboros-dkim";
    // --verify: orouboros-verify in front of the local and forward stages.
    bool verify = false, verify_dmarc_reject = false;
    std::string verify_dns_server;
};

// Something the listener would refuse to start with, and the sysexits
// status it exits with for it.
struct Problem {
    int status;
    std::string text;
};

// The command lines of the stages a session uses ("" for a stage that is
// not configured), as blank-separated words.
struct StageCommands {
    std::string local, forward, relay, auth;
    std::string sign;    // orouboros-dkim-sign, in front of relay ("" without keys); no --next yet
    std::string verify;  // without its --next: one stage in front of local, one of forward
};

// A stage's command line: PROGRAM in --libexec, no configuration file,
// the listener's log level.
std::string stage_command(const RawListenerOptions& r, const std::string& program, const std::string& log);

// stage_log: the --log the stages get (their stdout is the connection).
StageCommands stage_commands(const RawListenerOptions& r, const std::string& stage_log);

// --verify and its settings, options of `orouboros`.
void add_verify_options(boost::program_options::options_description& d, RawListenerOptions& r);

// The specs orouboros-smtpd gets for them: exec:COMMAND, or unix:PATH.
using Routes = StageCommands;

// orouboros-dkim-sign's command line with the --dkim-key options, for the
// relay route ("" when there are no keys or no relay); orouboros_dkim.cpp.
std::string dkim_sign_command(const RawListenerOptions& r, const std::string& stage_log);

// The domains the sessions take mail for, by route: with --forward and no
// --local the delivery domains are forwarded (the original's meaning).
route::Domains session_domains(const RawListenerOptions& r);

// Throws ConfigError naming a domain that would be routed nowhere.
void check_routes(const RawListenerOptions& r);

// The orouboros-smtpd command line for one port (tls: none, starttls, implicit).
std::vector<std::string> smtpd_argv(const RawListenerOptions& r, const std::string& tls, const Routes& routes,
                                    const std::string& session_log);

}  // namespace orou::cli
