#include "auth/options.hpp"

#include <cstring>

#include "cli/options.hpp"
#include "cli/pool_options.hpp"

namespace orou::auth {

namespace {

namespace po = boost::program_options;

template <class T>
auto at_least(T low, const char* name) {
    return [low, name](T v) {
        if (v < low) throw po::validation_error(po::validation_error::invalid_option_value, name);
    };
}

// --credentials, or its alias --user-credentials, or the default.
std::string credentials_file(const po::variables_map& vm, const char* first) {
    for (const char* key : {first, "credentials", "user-credentials"})
        if (vm.count(key)) return vm[key].as<std::string>();
    return "creds.json";
}

void add_credentials_options(po::options_description& desc) {
    // clang-format off
    desc.add_options()("help,h", "show this help and exit")                                     //
        ("config", po::value<std::string>(), "configuration file")                              //
        ("credentials", po::value<std::string>(), "credentials file (default creds.json)")      //
        ("user-credentials", po::value<std::string>(), "the same as --credentials");
    // clang-format on
}

// The index just past "--checkpassword", or argc when it is not given.
int checkpassword_end(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--checkpassword") == 0) return i + 1;
    return argc;
}

}  // namespace

po::options_description authcheck_options() {
    po::options_description desc("options");
    add_credentials_options(desc);
    // clang-format off
    desc.add_options()("log", po::value<std::string>()->default_value("STDERR"), "STDERR, STDOUT, NONE or a file")
        ("log-level", po::value<std::string>()->default_value("INFO"), "DEBUG, INFO, WARNING or ERROR")
        ("request-timeout", po::value<long>()->default_value(60)->notifier(at_least(1L, "request-timeout")),
         "seconds per request")
        ("fail-delay", po::value<double>()->default_value(1.0)->notifier(at_least(0.0, "fail-delay")),
         "seconds to wait before a refusal")
        ("state-dir", po::value<std::string>(), "slow down guessing per client address; state in DIR")
        ("max-fail-delay", po::value<double>()->default_value(15.0)->notifier(at_least(0.0, "max-fail-delay")),
         "longest wait the --state-dir throttle imposes, seconds")
        ("checkpassword", po::bool_switch(), "checkpassword mode; the rest is PROG ARGS...");
    // clang-format on
    cli::add_pool_options(desc);
    return desc;
}

AuthcheckOptions parse_authcheck_options(int argc, char** argv) {
    const auto desc = authcheck_options();
    int end = checkpassword_end(argc, argv);
    auto vm = cli::parse(end, argv, kAuthcheckSpec, desc);
    AuthcheckOptions opt;
    opt.credentials = credentials_file(vm, "credentials");
    opt.log_target = vm["log"].as<std::string>();
    opt.log_level = vm["log-level"].as<std::string>();
    opt.timeout = std::chrono::seconds(vm["request-timeout"].as<long>());
    opt.fail_delay = std::chrono::milliseconds(static_cast<long>(vm["fail-delay"].as<double>() * 1000));
    if (vm.count("state-dir")) opt.state_dir = vm["state-dir"].as<std::string>();
    opt.max_fail_delay = std::chrono::milliseconds(static_cast<long>(vm["max-fail-delay"].as<double>() * 1000));
    opt.checkpassword = vm["checkpassword"].as<bool>();
    opt.pool = cli::pool_from(vm, kAuthcheckSpec.prog);
    opt.program.assign(argv + end, argv + argc);
    return opt;
}

po::options_description mkcreds_options() {
    po::options_description desc("options");
    add_credentials_options(desc);
    // clang-format off
    desc.add_options()("file,f", po::value<std::string>(), "the same as --credentials")
        ("password-stdin", po::bool_switch(), "read the password as one line of stdin")
        ("command", po::value<std::string>(), "add, passwd, del, list or senders (the first argument)")
        ("user", po::value<std::string>(), "the user (the second argument)")
        ("args", po::value<std::vector<std::string>>(), "senders: list, add SENDER... or remove SENDER...");
    // clang-format on
    return desc;
}

MkcredsOptions parse_mkcreds_options(int argc, char** argv) {
    const auto desc = mkcreds_options();
    po::positional_options_description positional;
    positional.add("command", 1).add("user", 1).add("args", -1);
    auto vm = cli::parse(argc, argv, kMkcredsSpec, desc, positional);
    MkcredsOptions opt;
    opt.file = credentials_file(vm, "file");
    opt.password_stdin = vm["password-stdin"].as<bool>();
    if (vm.count("command")) opt.command = vm["command"].as<std::string>();
    if (vm.count("user")) opt.user = vm["user"].as<std::string>();
    if (vm.count("args")) opt.args = vm["args"].as<std::vector<std::string>>();
    return opt;
}

}  // namespace orou::auth
