#include "deliver/mbox_deliver.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <csignal>

#include "base/error.hpp"
#include "base/limits.hpp"
#include "cli/pool_options.hpp"
#include "deliver/lmtp_server.hpp"
#include "deliver/recover.hpp"

namespace orou::deliver {

namespace {

namespace po = cli::po;

[[noreturn]] void usage_error(const std::string& what) { throw ExitError(EX_USAGE, "usage error: " + what); }

std::string default_hostname() {
    char name[256] = {};
    check_sys(::gethostname(name, sizeof name - 1), "get the host name");
    return name;
}

StoreConfig store_config(const po::variables_map& vm) {
    StoreConfig store;
    int layouts = 0;
    for (auto [key, layout] : {std::pair{"mboxdir", Layout::Mbox}, std::pair{"maildir", Layout::Maildir},
                               std::pair{"wmaildir", Layout::SingleMaildir}}) {
        if (!vm.count(key)) continue;
        ++layouts;
        store.layout = layout;
        store.root = vm[key].as<std::string>();
    }
    if (layouts != 1) usage_error("give exactly one of --mboxdir, --maildir, --wmaildir");
    if (store.root.empty()) usage_error("empty mail directory");
    store.hostname = vm.count("hostname") ? vm["hostname"].as<std::string>() : default_hostname();
    return store;
}

std::chrono::seconds seconds(const po::variables_map& vm, const char* key) {
    const unsigned n = vm[key].as<unsigned>();
    if (n == 0) usage_error(std::string("--") + key + " must be at least 1");
    return std::chrono::seconds(n);
}

int serve_lmtp(int in, int out, FileStore& store, log::Logger& log, const Config& config) {
    io::FdStream peer(in, out);
    LmtpServer(peer, store, log, config.session).run();
    return EX_OK;
}

}  // namespace

po::options_description options() {
    po::options_description d("options");
    // clang-format off
    d.add_options()
        ("help,h", "show this help and exit")
        ("config", po::value<std::string>(), "read options from FILE (section [mbox-deliver])")
        ("mboxdir", po::value<std::string>(), "deliver into the mbox DIR/<local part>/INBOX")
        ("maildir", po::value<std::string>(), "deliver into the Maildir DIR/<local part>/")
        ("wmaildir", po::value<std::string>(), "deliver every recipient into the one Maildir DIR")
        ("lmtp", po::bool_switch(), "speak LMTP on stdin/stdout (or on the socket systemd passes)")
        ("recover", po::bool_switch(), "repair what killed deliveries left in the mail directory, then exit")
        ("from,f", po::value<std::string>()->default_value(""), "envelope sender; empty or <> for none")
        ("recipient", po::value<std::vector<std::string>>(), "a recipient (also given as operands)")
        ("hostname", po::value<std::string>(), "host name for the greeting and Maildir file names");
    // clang-format on
    cli::add_stage_options(d);
    return d;
}

po::positional_options_description positional() {
    po::positional_options_description p;
    p.add("recipient", -1);
    return p;
}

Config config_from(const po::variables_map& vm) {
    Config c;
    c.store = store_config(vm);
    c.lmtp = vm["lmtp"].as<bool>();
    c.recover = vm["recover"].as<bool>();
    if (vm.count("recipient")) c.request.rcpts = vm["recipient"].as<std::vector<std::string>>();
    if (c.recover && (c.lmtp || !c.request.rcpts.empty())) usage_error("--recover takes no --lmtp and no recipients");
    if (c.lmtp && !c.request.rcpts.empty()) usage_error("no recipients with --lmtp");
    if (!c.lmtp && !c.recover && c.request.rcpts.empty()) usage_error("no recipients");
    c.request.sender = vm["from"].as<std::string>();
    c.request.max_message = vm["max-message-size"].as<std::size_t>();
    c.session.hostname = c.store.hostname;
    c.session.max_message = c.request.max_message;
    c.session.idle = seconds(vm, "idle-timeout");
    c.session.session = seconds(vm, "session-timeout");
    c.pool = cli::pool_from(vm, kSpec.prog);
    c.log_target = vm["log"].as<std::string>();
    c.log_level = log::parse_level(vm["log-level"].as<std::string>());
    return c;
}

int run(const Config& config) {
    std::signal(SIGPIPE, SIG_IGN);  // a gone peer is an EPIPE error, not a kill
    std::signal(SIGXFSZ, SIG_IGN);  // a file size limit is an EFBIG error, rolled back
    log::Logger log(kSpec.prog, config.log_target, config.log_level);
    log.set_sid(log::new_id());
    if (config.recover) return recover_all(config.store, log);
    Writer writer;
    FileStore store(config.store, writer);
    if (config.lmtp)
        return lmtp::serve_stage(config.pool, log, [&](int in, int out) {
            std::signal(SIGXFSZ, SIG_IGN);  // again: a forked session starts with default signals
            return serve_lmtp(in, out, store, log, config);
        });
    io::FdStream in(STDIN_FILENO, STDOUT_FILENO);
    const io::Timer timer{config.session.idle, io::Clock::now() + config.session.session};
    return deliver_from_stream(store, log, config.request, in, timer);
}

}  // namespace orou::deliver
