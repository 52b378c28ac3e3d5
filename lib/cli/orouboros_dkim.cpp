#include "cli/orouboros_dkim.hpp"

#include <sysexits.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "dkim/key.hpp"
#include "io/stage_spec.hpp"
#include "listener/privsep.hpp"

namespace orou::cli {

void add_dkim_options(po::options_description& d, RawListenerOptions& r) {
    // clang-format off
    d.add_options()
        ("dkim-key", po::value(&r.dkim_keys)->composing(),
         "DOMAIN:SELECTOR:KEYFILE: DKIM-sign authenticated outbound mail from DOMAIN (repeatable)")
        ("dkim-user", po::value(&r.dkim_user)->default_value(r.dkim_user),
         "started as root: run orouboros-dkim-sign as USER");
    // clang-format on
}

std::string dkim_sign_command(const RawListenerOptions& r, const std::string& stage_log) {
    if (r.dkim_keys.empty()) return "";
    std::string s = stage_command(r, "orouboros-dkim-sign", stage_log);
    if (!r.hostname.empty()) s += " --hostname " + r.hostname;
    for (const auto& key : r.dkim_keys) s += " --key " + key;
    return s;
}

void check_dkim(const RawListenerOptions& r, const listener::Identity* dkim_user) {
    if (!r.dkim_keys.empty() && r.no_relay) throw ConfigError("--dkim-key signs relayed mail: not with --no-relay");
    for (const auto& spec : r.dkim_keys) {
        if (spec.find_first_of(" \t") != std::string::npos)
            throw ConfigError("--dkim-key may not contain blanks: " + spec);
        const dkim::Key key = dkim::load_key(spec, "");
        if (dkim_user && !listener::can_access_as(*dkim_user, key.file, R_OK))
            throw ExitError(EX_NOPERM,
                            "orouboros-dkim-sign runs as " + dkim_user->name + ", who cannot read " + key.file);
    }
    if (!r.dkim_keys.empty() && ::access((r.libexec + "/orouboros-dkim-sign").c_str(), X_OK) != 0)
        throw ExitError(EX_UNAVAILABLE, r.libexec + "/orouboros-dkim-sign is missing: nothing was started");
}

listener::Identity dkim_identity(const RawListenerOptions& r, const listener::Identity& smtpd) {
    listener::Identity id = listener::lookup_user(r.dkim_user);
    id.groups.push_back(smtpd.gid);
    return id;
}

void chain_signer(const std::string& dir, const std::string& command, const listener::Identity* user,
                  std::vector<listener::Port>& ports, std::string& relay_route) {
    if (command.empty() || relay_route.empty()) return;
    const listener::Port* relay = nullptr;
    for (const auto& p : ports)
        if (p.label == "relay") relay = &p;
    if (!relay) return;
    listener::Port p;
    p.argv = io::split_quoted(command);
    p.argv.insert(p.argv.end(), {"--next", relay_route});
    p.label = "dkim-sign";
    p.path = dir + "/dkim-sign.sock";
    p.socket_group = relay->socket_group;
    p.log_fd = relay->log_fd;
    if (user) p.user = *user;
    relay_route = "unix:" + p.path;
    ports.push_back(std::move(p));
}

}  // namespace orou::cli
