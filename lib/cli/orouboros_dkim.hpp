// The listener's DKIM signing: with --dkim-key, the relay route of the
// sessions goes through orouboros-dkim-sign on a unix socket of its own
// (dkim-sign.sock), which hands on to the relay stage.  Started as root,
// the signer runs as --dkim-user (orouboros-dkim), the one part that may
// read the keys, with the smtpd user's group added so that it may connect
// to the relay stage's socket as the sessions do.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/orouboros_raw.hpp"
#include "listener/listener.hpp"

namespace orou::cli {

void add_dkim_options(po::options_description& d, RawListenerOptions& r);

// Reads each key as orouboros-dkim-sign will (ConfigError naming the file
// when one cannot be used); started as root, checks that `dkim_user` can
// read them (ExitError EX_NOPERM when not).  Does nothing without keys.
void check_dkim(const RawListenerOptions& r, const listener::Identity* dkim_user);

// The user the signer runs as, with the smtpd user's group added.
listener::Identity dkim_identity(const RawListenerOptions& r, const listener::Identity& smtpd);

// With a signer command: a port for it (the relay stage's socket group
// and log), handing on to the relay route, which becomes the signer's
// socket.
void chain_signer(const std::string& dir, const std::string& command, const listener::Identity* user,
                  std::vector<listener::Port>& ports, std::string& relay_route);

}  // namespace orou::cli
