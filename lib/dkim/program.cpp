#include "dkim/program.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.hpp"
#include "base/limits.hpp"
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

std::string default_hostname() {
    char name[256] = {};
    check_sys(::gethostname(name, sizeof name - 1), "get the host name");
    return name;
}

}  // namespace

po::options_description options() {
    po::options_description d("options");
    // clang-format off
    d.add_options()
        ("help,h", "show this help and exit")
        ("config", po::value<std::string>(), "read options from FILE (section [dkim-sign])")
        ("key", po::value<std::vector<std::string>>(), "DOMAIN:SELECTOR:KEYFILE, a key to sign with (repeatable)")
        ("next", po::value<std::string>(), "the next stage: exec:PROGRAM ARGS, unix:PATH or lmtp:HOST:PORT")
        ("hostname", po::value<std::string>(), "host name for the greeting")
        ("max-message-size", po::value<std::size_t>()->default_value(kDefaultMaxMessage), "largest message, bytes")
        ("idle-timeout", po::value<unsigned>()->default_value(300), "seconds the input may stay silent")
        ("session-timeout", po::value<unsigned>()->default_value(1800), "timeout of a whole session, seconds")
        ("max-connections", po::value<unsigned>()->default_value(100), "LMTP sessions at once on a listening socket")
        ("log", po::value<std::string>()->default_value("STDERR"), "STDERR, STDOUT, NONE or a file")
        ("log-level", po::value<std::string>()->default_value("INFO"), "DEBUG, INFO, WARNING or ERROR");
    // clang-format on
    return d;
}

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
    c.filter.session.hostname = vm.count("hostname") ? vm["hostname"].as<std::string>() : default_hostname();
    c.filter.session.max_message = vm["max-message-size"].as<std::size_t>();
    c.filter.session.idle = seconds(vm, "idle-timeout");
    c.filter.session.session = seconds(vm, "session-timeout");
    c.filter.max_connections = static_cast<int>(vm["max-connections"].as<unsigned>());
    if (c.filter.max_connections < 1) usage_error("--max-connections must be at least 1");
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
