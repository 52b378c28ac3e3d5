// orouboros-mbox-deliver: its options, its configuration, and the one call
// its main makes.
#pragma once

#include <string>

#include "cli/options.hpp"
#include "deliver/sendmail.hpp"
#include "deliver/store.hpp"
#include "listener/workers.hpp"
#include "lmtp/server.hpp"
#include "log/log.hpp"

namespace orou::deliver {

inline constexpr cli::Spec kSpec{"orouboros-mbox-deliver", "mbox-deliver",
                                 "orouboros-mbox-deliver --mboxdir DIR | --maildir DIR | --wmaildir DIR [options]\n"
                                 "           (--lmtp | --recover | [-f SENDER] RCPT...)",
                                 "mboxdir maildir wmaildir", "timeout=idle-timeout"};

struct Config {
    StoreConfig store;
    bool lmtp = false;
    bool recover = false;     // --recover: the repair pass (recover.hpp), no delivery
    lmtp::Limits session;     // the LMTP limits and timeouts
    listener::Pool pool;      // the workers that serve a listening socket
    SendmailRequest request;  // the sendmail mode's sender, recipients and limit
    std::string log_target = "STDERR";
    log::Level log_level = log::Level::Info;
};

cli::po::options_description options();
cli::po::positional_options_description positional();

// The configuration from parsed options; throws ExitError(EX_USAGE) for a
// usage error (no layout or two, recipients with --lmtp, none without).
Config config_from(const cli::po::variables_map& vm);

// Runs the program: an LMTP session (on the socket systemd passed, or on
// stdin/stdout; given a listening socket, one forked session for each of
// its connections), or one sendmail-style delivery.  Returns a sysexits
// status.
int run(const Config& config);

}  // namespace orou::deliver
