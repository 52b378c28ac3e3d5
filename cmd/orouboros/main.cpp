// orouboros: the listener, with the original program's command line.
#include <iostream>

#include "base/error.hpp"
#include "cli/orouboros_check.hpp"
#include "cli/orouboros_options.hpp"
#include "log/log.hpp"

int main(int argc, char* argv[]) {
    if (orou::cli::check_config_requested(argc, argv)) return orou::cli::check_orouboros(argc, argv, std::cout);
    auto options = orou::cli::parse_orouboros(argc, argv);
    return orou::run_guarded("orouboros", [&] {
        orou::log::Logger log("orouboros", options.log_target, orou::log::parse_level(options.log_level));
        return orou::cli::serve_orouboros(std::move(options), argc, argv, log);
    });
}
