// The limits a client meets, declared once: options of orouboros-smtpd,
// and of the listener, which passes them on to the orouboros-smtpd it
// starts.  Each option is also a key of the configuration file.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "listener/clients.hpp"
#include "smtpd/config.hpp"

namespace orou::cli {

// Binds --max-errors, --soft-error-limit, --error-sleep-ms,
// --max-junk-commands, --max-header-size, --max-hops,
// --max-client-connections and --max-client-rate.
void add_limit_options(po::options_description& d, smtpd::Limits& session, listener::ClientLimits& clients);

// Throws po::error for a value out of range.
void check_limit_options(const smtpd::Limits& session, const listener::ClientLimits& clients);

// The same values as orouboros-smtpd options.
std::vector<std::string> limit_words(const smtpd::Limits& session, const listener::ClientLimits& clients);

}  // namespace orou::cli
