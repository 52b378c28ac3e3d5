#include "cli/orouboros_check.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/options.hpp"
#include "base/error.hpp"
#include "cli/orouboros_dkim.hpp"
#include "cli/orouboros_privsep.hpp"
#include "cli/relay_probe.hpp"
#include "deliver/mbox_deliver.hpp"
#include "forward/program.hpp"
#include "io/stage_spec.hpp"
#include "tls/tls.hpp"

namespace orou::cli {

namespace {

using Raw = RawListenerOptions;

constexpr std::chrono::seconds kProbeTimeout{20};
constexpr int kProbeErrors = 100;

bool forwards(const Raw& r) { return r.forward || r.relay_mx || !r.smarthost.host.empty(); }

// A missing program (EX_UNAVAILABLE), a certificate or key that does not load.
void installation_problems(const Raw& r, std::vector<Problem>& out) {
    for (const char* p : {"orouboros-smtpd", "orouboros-authcheck", "orouboros-mbox-deliver", "orouboros-forward",
                          "orouboros-verify"}) {
        if (std::string(p) == "orouboros-forward" && !forwards(r)) continue;
        if (std::string(p) == "orouboros-verify" && !r.verify) continue;
        if (::access((r.libexec + "/" + p).c_str(), X_OK) != 0)
            out.push_back({EX_UNAVAILABLE, r.libexec + "/" + p + " is missing: nothing was started"});
    }
    try {
        if (!r.cert.empty()) (void)tls::make_server_ctx(r.cert, r.key);
    } catch (const std::exception& e) {
        out.push_back({EX_CONFIG, e.what()});
    }
}

// Reads a stage's command line with the stage's own parser: what it would
// refuse at its start, it refuses now.
void stage_problems(const std::string& name, const std::string& command, std::vector<Problem>& out) {
    if (command.empty()) return;
    try {
        const auto argv = io::split_quoted(command);
        std::vector<char*> words;
        for (const auto& w : argv) words.push_back(const_cast<char*>(w.c_str()));
        words.push_back(nullptr);
        const int argc = static_cast<int>(argv.size());
        if (name == "authcheck") {
            (void)read_options(argc, words.data(), auth::kAuthcheckSpec, auth::authcheck_options());
        } else if (name == "deliver") {
            (void)deliver::config_from(read_options(argc, words.data(), deliver::kSpec, deliver::options()));
        } else {
            (void)forward::config_from(read_options(argc, words.data(), forward::kSpec, forward::options()));
        }
    } catch (const std::exception& e) {
        out.push_back({EX_CONFIG, "the " + name + " stage would refuse its options: " + e.what()});
    }
}

// The files the parts read at their start.  Run as one user, each part
// reads them as ours.  (The credentials file is read per request: a
// missing one refuses AUTH, as the original program did.)
void file_problems(const Raw& r, bool separated, std::vector<Problem>& out) {
    std::vector<const std::string*> files{&r.blocklist, &r.domain_blocklist};  // smtpd reads them before it drops root
    if (!separated) {
        files.push_back(&r.relay_dnssec_anchor);
        if (r.forward) files.insert(files.end(), {&r.home.ca, &r.home.password_file});
        if (!r.smarthost.host.empty()) files.insert(files.end(), {&r.smarthost.ca, &r.smarthost.password_file});
    }
    for (const auto* f : files)
        if (!f->empty() && ::access(f->c_str(), R_OK) != 0)
            out.push_back({EX_NOPERM, "cannot read " + *f + ": " + std::strerror(errno)});
}

void probe_problems(const Raw& r, std::vector<Problem>& out) {
    // The real domains and route table; the stages' sockets need not be
    // there, as a foreign recipient never reaches one.  TLS is left out:
    // the relay rule does not depend on it.
    const StageCommands c = stage_commands(r, "NONE");
    auto unix_route = [&](const std::string& command, const char* name) {
        return command.empty() ? "" : "unix:" + r.socket_dir + "/" + name + ".sock";
    };
    const Routes routes{unix_route(c.local, "deliver"), unix_route(c.forward, "forward"), unix_route(c.relay, "relay"),
                        unix_route(c.auth, "authcheck")};
    // Nor do the error limits, which would close the session or slow it down.
    Raw probed = r;
    probed.session_limits.max_errors = probed.session_limits.soft_errors = kProbeErrors;
    try {
        for (const auto& step : probe_relay(smtpd_argv(probed, "none", routes, "NONE"), kProbeTimeout))
            if (!step.passed)
                out.push_back({EX_CONFIG, "relay probe: " + step.command + " without AUTH: " + step.reply +
                                              " (want a refusal, 554 5.7.1)"});
    } catch (const std::exception& e) {
        out.push_back({EX_CONFIG, std::string("relay probe: ") + e.what()});
    }
}

std::string port_of(const Upstream& u) { return !u.port.empty() ? u.port : u.tls == "implicit" ? "465" : "25"; }

std::string tls_policy(const Upstream& u) {
    if (u.tls == "none") return "tls none";
    const std::string verify = !u.fingerprint.empty() ? "certificate pinned to " + u.fingerprint
                               : !u.ca.empty()        ? "certificate checked against " + u.ca
                                                      : "certificate checked against the system's CAs";
    return "tls " + u.tls + ", " + verify;
}

std::string next_hop(const Upstream& u) {
    return u.host + ":" + port_of(u) + ", " + tls_policy(u) + (u.user.empty() ? "" : ", AUTH as " + u.user);
}

std::string local_route(const Raw& r) {
    if (!r.mboxdir.empty()) return "local: mbox " + r.mboxdir + "/<local part>/INBOX";
    if (!r.maildir.empty()) return "local: Maildir " + r.maildir + "/<local part>/";
    if (!r.wmaildir.empty()) return "local: the one Maildir " + r.wmaildir;
    return "nowhere (no mail directory)";
}

}  // namespace

std::vector<Problem> start_problems(const Raw& r, bool separated, bool probe) {
    std::vector<Problem> out;
    try {
        check_routes(r);
    } catch (const ConfigError& e) {
        out.push_back({EX_CONFIG, e.what()});
    }
    installation_problems(r, out);
    try {
        check_dkim(r, nullptr);  // the keys load; as root, separate() checks their reader
    } catch (const ExitError& e) {
        out.push_back({e.status(), e.what()});
    } catch (const std::exception& e) {
        out.push_back({EX_CONFIG, e.what()});
    }
    file_problems(r, separated, out);
    const StageCommands c = stage_commands(r, "STDERR");
    stage_problems("deliver", c.local, out);
    stage_problems("forward", c.forward, out);
    stage_problems("relay", c.relay, out);
    stage_problems("authcheck", c.auth, out);
    if (separated) {
        auto more = separation_problems(r);
        out.insert(out.end(), more.begin(), more.end());
    }
    if (probe && ::access((r.libexec + "/orouboros-smtpd").c_str(), X_OK) == 0) probe_problems(r, out);
    return out;
}

void print_routes(const Raw& r, std::ostream& out) {
    const route::Domains d = session_domains(r);
    for (const auto& domain : d.delivery) out << "route " << domain << ": " << local_route(r) << "\n";
    for (const auto& domain : d.forward)
        out << "route " << domain << ": "
            << (r.forward ? "forward to " + next_hop(r.home) : std::string("nowhere (no --forward)")) << "\n";
    out << "route any other domain: ";
    if (r.no_relay) out << "refused";
    else if (!r.smarthost.host.empty()) out << "authenticated clients only, relay through " << next_hop(r.smarthost);
    else
        out << "authenticated clients only, relay to the domain's MX hosts, tls opportunistic, "
            << (r.relay_dnssec_anchor.empty() ? "no DNSSEC" : "DNSSEC from " + r.relay_dnssec_anchor);
    out << "; anyone else: 554 5.7.1 relay denied\n";
}

bool check_config_requested(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--check-config") == 0) return true;
    return false;
}

}  // namespace orou::cli
