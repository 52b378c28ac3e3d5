// orouboros-verify: its options, its configuration, and the one call its
// main makes.
#pragma once

#include <string>

#include "cli/options.hpp"
#include "filter/server.hpp"
#include "log/log.hpp"
#include "verify/verifier.hpp"

namespace orou::verify {

inline constexpr cli::Spec kSpec{"orouboros-verify", "verify", "orouboros-verify --next SPEC [options]"};

struct ProgramConfig {
    Config verify;
    filter::Config stage;
    std::string log_target = "STDERR";
    log::Level log_level = log::Level::Info;
};

cli::po::options_description options();

// The configuration from parsed options; throws ExitError(EX_USAGE) for a
// usage error (no --next, a timeout out of range).
ProgramConfig config_from(const cli::po::variables_map& vm);

// Serves LMTP as every stage does (the socket systemd passed, stdin and
// stdout, or a listening socket with a session per connection).  Returns
// a sysexits status.
int run(const ProgramConfig& config);

}  // namespace orou::verify
