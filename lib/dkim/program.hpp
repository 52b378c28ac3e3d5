// orouboros-dkim-sign: its options, its configuration, and the one call
// its main makes.  See orouboros-dkim-sign(8).
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "filter/server.hpp"
#include "log/log.hpp"

namespace orou::dkim {

inline constexpr cli::Spec kSpec{"orouboros-dkim-sign", "dkim-sign",
                                 "orouboros-dkim-sign --key DOMAIN:SELECTOR:KEYFILE... --next SPEC [options]"};

struct Config {
    std::vector<std::string> keys;  // --key specs
    std::string credentials_dir;    // $CREDENTIALS_DIRECTORY, "" when unset
    filter::Config filter;
    std::string log_target = "STDERR";
    log::Level log_level = log::Level::Info;
};

cli::po::options_description options();

// The configuration from parsed options and the environment; throws
// ExitError(EX_USAGE) for a usage error.
Config config_from(const cli::po::variables_map& vm);

// Reads the keys (ConfigError, so EX_CONFIG, when one cannot be used),
// then serves LMTP as filter::serve does.  Returns a sysexits status.
int run(const Config& config);

}  // namespace orou::dkim
