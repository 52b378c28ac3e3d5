#include "cli/pool_options.hpp"

#include "base/limits.hpp"

namespace orou::cli {

namespace {

auto at_least_one(const char* name) {
    return [name](unsigned v) {
        if (v < 1) throw po::validation_error(po::validation_error::invalid_option_value, name);
    };
}

}  // namespace

void add_pool_options(po::options_description& d) {
    const listener::Pool defaults;
    auto option = [&](const char* name, int value, const char* text) {
        d.add_options()(name, po::value<unsigned>()->default_value(value)->notifier(at_least_one(name)), text);
    };
    option("max-connections", defaults.max_workers, "connections at once on a listening socket (one worker each)");
    option("workers", defaults.workers, "idle workers kept ready on a listening socket");
    option("max-use", defaults.max_use, "connections a worker serves before it is replaced");
}

listener::Pool pool_from(const po::variables_map& vm, std::string program) {
    listener::Pool pool;
    pool.program = std::move(program);
    pool.max_workers = static_cast<int>(vm["max-connections"].as<unsigned>());
    pool.workers = static_cast<int>(vm["workers"].as<unsigned>());
    pool.max_use = static_cast<int>(vm["max-use"].as<unsigned>());
    return pool;
}

void add_stage_options(po::options_description& d) {
    // clang-format off
    d.add_options()
        ("max-message-size", po::value<std::size_t>()->default_value(kDefaultMaxMessage), "largest message, bytes")
        ("idle-timeout", po::value<unsigned>()->default_value(300), "seconds the input may stay silent")
        ("session-timeout", po::value<unsigned>()->default_value(1800), "seconds an LMTP session may last")
        ("log", po::value<std::string>()->default_value("STDERR"), "STDERR, STDOUT, NONE or a file")
        ("log-level", po::value<std::string>()->default_value("INFO"), "DEBUG, INFO, WARNING or ERROR");
    // clang-format on
    add_pool_options(d);
}

}  // namespace orou::cli
