#include "dkim/program.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.hpp"
#include "cli/pool_options.hpp"
#include "dkim/sign_filter.hpp"
#include "io/connect.hpp"

namespace orou::dkim {

namespace {

namespace po = cli::po;

[[noreturn]] void usage_error(const std::string& what) { throw ExitError(EX_USAGE, "usage error: " + what); }

std::chrono::seconds seconds(const po::variables_map& vm, const char* key) {
    const unsigned n = vm[key].as<unsigned>();
    if (n == 0) usage_error(std::string("--") + key + " must be at least 1");
    return std::chrono::seconds(n);
}

}  // namespace

Config config_from(const po::variables_map& vm) {
    Config c;
    if (!vm.count("key")) usage_error("no --key");
    if (!vm.count("next")) usage_error("no --next");
    c.keys = vm["key"].as<std::vector<std::string>>();
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY")) c.credentials_dir = dir;
    c.filter.program = kSpec.prog;
    c.filter.next = vm["next"].as<std::string>();
    try {
        io::check_spec(c.filter.next);
    } catch (const ConfigError& e) {
        usage_error(std::string("--next: ") + e.what());
    }
    c.filter.session.hostname = vm.count("hostname") ? vm["hostname"].as<std::string>() : cli::default_hostname();
    c.filter.session.max_message = vm["max-message-size"].as<std::size_t>();
    c.filter.session.idle = seconds(vm, "idle-timeout");
    c.filter.session.session = seconds(vm, "session-timeout");
    c.filter.pool = cli::pool_from(vm, kSpec.prog);
    c.log_target = vm["log"].as<std::string>();
    c.log_level = log::parse_level(vm["log-level"].as<std::string>());
    return c;
}

int run(const Config& config) {
    log::Logger log(kSpec.prog, config.log_target, config.log_level);
    log.set_sid(log::new_id());
    const Signer signer(load_keys(config.keys, config.credentials_dir));
    SignFilter filter(signer, log);
    return filter::serve(config.filter, filter, log);
}

}  // namespace orou::dkim
