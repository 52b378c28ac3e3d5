#include "verify/program.hpp"

#include <sysexits.h>

#include "base/error.hpp"
#include "base/limits.hpp"
#include "verify/stage.hpp"

namespace orou::verify {

namespace po = cli::po;

namespace {

constexpr unsigned kMaxLookupTimeout = 120;  // well under the 10 minutes a sender waits after DATA

void require(bool condition, const std::string& what) {
    if (!condition) throw ExitError(EX_USAGE, "usage error: " + what);
}

std::chrono::seconds seconds(const po::variables_map& vm, const char* key, unsigned max) {
    const unsigned n = vm[key].as<unsigned>();
    require(n >= 1 && n <= max, std::string("--") + key + " must be between 1 and " + std::to_string(max));
    return std::chrono::seconds(n);
}

std::string text(const po::variables_map& vm, const char* key) {
    return vm.count(key) ? vm[key].as<std::string>() : "";
}

}  // namespace

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
         "the public suffix list, for DMARC's organizational domains")
        ("idle-timeout", po::value<unsigned>()->default_value(300), "seconds the input may stay silent")
        ("session-timeout", po::value<unsigned>()->default_value(1800), "seconds an LMTP session may last")
        ("max-connections", po::value<unsigned>()->default_value(100), "LMTP sessions at once on a listening socket")
        ("max-message-size", po::value<std::size_t>()->default_value(kDefaultMaxMessage), "largest message, bytes")
        ("log", po::value<std::string>()->default_value("STDERR"), "STDERR, STDOUT, NONE or a file")
        ("log-level", po::value<std::string>()->default_value("INFO"), "DEBUG, INFO, WARNING or ERROR");
    // clang-format on
    return d;
}

ProgramConfig config_from(const po::variables_map& vm) {
    ProgramConfig c;
    require(!text(vm, "next").empty(), "--next is required");
    c.verify.authserv_id = vm.count("authserv-id") ? text(vm, "authserv-id") : cli::default_hostname();
    require(!c.verify.authserv_id.empty(), "empty --authserv-id");
    c.verify.dns_server = text(vm, "dns-server");
    c.verify.lookup_timeout = seconds(vm, "lookup-timeout", kMaxLookupTimeout);
    c.verify.dmarc_reject = vm["dmarc-reject"].as<bool>();
    c.verify.public_suffix_list = text(vm, "public-suffix-list");
    c.stage.program = kSpec.prog;
    c.stage.next = text(vm, "next");
    c.stage.session.hostname = c.verify.authserv_id;
    c.stage.session.max_message = vm["max-message-size"].as<std::size_t>();
    c.stage.session.idle = seconds(vm, "idle-timeout", 86400);
    c.stage.session.session = seconds(vm, "session-timeout", 86400);
    c.stage.max_connections = static_cast<int>(vm["max-connections"].as<unsigned>());
    require(c.stage.max_connections >= 1, "--max-connections must be at least 1");
    c.log_target = text(vm, "log");
    c.log_level = log::parse_level(text(vm, "log-level"));
    return c;
}

int run(const ProgramConfig& config) {
    log::Logger log(kSpec.prog, config.log_target, config.log_level);
    log.set_sid(log::new_id());
    const DmarcLibrary dmarc(config.verify.public_suffix_list);
    Stage stage(config.verify, log);
    return filter::serve(config.stage, stage, log);
}

}  // namespace orou::verify
