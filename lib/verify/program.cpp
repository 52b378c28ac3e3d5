#include "verify/program.hpp"

#include <sysexits.h>

#include "base/error.hpp"
#include "cli/pool_options.hpp"
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
    c.stage.pool = cli::pool_from(vm, kSpec.prog);
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
