// The options of orouboros-dkim-sign, apart from the program, so that the
// listener's configuration check knows them without linking the program.
#include "dkim/program.hpp"

#include "cli/pool_options.hpp"

#include "base/limits.hpp"

namespace orou::dkim {

namespace po = cli::po;

po::options_description options() {
    po::options_description d("options");
    // clang-format off
    d.add_options()
        ("help,h", "show this help and exit")
        ("config", po::value<std::string>(), "read options from FILE (section [dkim-sign])")
        ("key", po::value<std::vector<std::string>>(), "DOMAIN:SELECTOR:KEYFILE, a key to sign with (repeatable)")
        ("next", po::value<std::string>(), "the next stage: exec:PROGRAM ARGS, unix:PATH or lmtp:HOST:PORT")
        ("hostname", po::value<std::string>(), "host name for the greeting");
    // clang-format on
    cli::add_stage_options(d);
    return d;
}

}  // namespace orou::dkim
