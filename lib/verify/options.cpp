// The options of orouboros-verify, apart from the program, so that the
// listener's configuration check knows them without linking the program.
#include "verify/program.hpp"

#include "cli/pool_options.hpp"

#include "base/limits.hpp"

namespace orou::verify {

namespace po = cli::po;

po::options_description options() {
    po::options_description d("options");
    // clang-format off
    d.add_options()
        ("help,h", "show this help and exit")
        ("config", po::value<std::string>(), "read options from FILE (section [verify])")
        ("next", po::value<std::string>(), "the next stage: exec:COMMAND, unix:PATH or lmtp:HOST:PORT")
        ("authserv-id", po::value<std::string>(), "the name in Authentication-Results (default: host name)")
        ("dns-server", po::value<std::string>(), "send DNS queries to ADDR[@PORT], not the system's resolvers")
        ("lookup-timeout", po::value<unsigned>()->default_value(10), "seconds for all lookups of a message")
        ("dmarc-reject", po::bool_switch(), "refuse (550 5.7.1) what fails DMARC under p=reject")
        ("public-suffix-list", po::value<std::string>()->default_value(kPublicSuffixList),
         "the public suffix list, for DMARC's organizational domains");
    // clang-format on
    cli::add_stage_options(d);
    return d;
}

}  // namespace orou::verify
