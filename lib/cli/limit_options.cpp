#include "cli/limit_options.hpp"

namespace orou::cli {

namespace {

constexpr long kMaxErrorSleepMs = 60000;  // and the greeting's wait

}  // namespace

void add_limit_options(po::options_description& d, smtpd::Limits& l, listener::ClientLimits& c) {
    auto sleep = [&l](long ms) { l.error_sleep = std::chrono::milliseconds(ms); };
    auto greet = [&l](long ms) { l.greet_wait = std::chrono::milliseconds(ms); };
    // clang-format off
    d.add_options()
        ("max-errors", po::value(&l.max_errors)->default_value(l.max_errors), "errors before disconnect")
        ("soft-error-limit", po::value(&l.soft_errors)->default_value(l.soft_errors),
         "errors before each error's reply waits")
        ("error-sleep-ms", po::value<long>()->default_value(l.error_sleep.count())->notifier(sleep),
         "the wait after an error past the soft limit, growing with each, ms")
        ("greet-wait-ms", po::value<long>()->default_value(l.greet_wait.count())->notifier(greet),
         "how long the greeting waits for a client that talks first, ms")
        ("max-junk-commands", po::value(&l.max_junk)->default_value(l.max_junk),
         "NOOP, RSET, VRFY and HELP before disconnect")
        ("max-header-size", po::value(&l.max_header)->default_value(l.max_header), "header section limit, bytes")
        ("max-hops", po::value(&l.max_hops)->default_value(l.max_hops), "Received: headers before 554 5.4.6")
        ("max-client-connections", po::value(&c.max_connections)->default_value(c.max_connections),
         "sessions at once from one client address (0: no limit)")
        ("max-client-rate", po::value(&c.max_rate)->default_value(c.max_rate),
         "new connections from one client address per minute (0: no limit)");
    // clang-format on
}

void check_limit_options(const smtpd::Limits& l, const listener::ClientLimits& c) {
    if (l.max_errors < 1 || l.max_junk < 1) throw po::error("--max-errors and --max-junk-commands must be at least 1");
    if (l.soft_errors < 0) throw po::error("--soft-error-limit may not be negative");
    if (l.error_sleep.count() < 0 || l.error_sleep.count() > kMaxErrorSleepMs)
        throw po::error("--error-sleep-ms must be between 0 and 60000");
    if (l.greet_wait.count() < 0 || l.greet_wait.count() > kMaxErrorSleepMs)
        throw po::error("--greet-wait-ms must be between 0 and 60000");
    if (l.max_header < 1024) throw po::error("--max-header-size must be at least 1024");
    if (l.max_hops < 1 || l.max_hops > 1000) throw po::error("--max-hops must be between 1 and 1000");
    if (c.max_connections < 0 || c.max_rate < 0)
        throw po::error("--max-client-connections and --max-client-rate may not be negative");
}

std::vector<std::string> limit_words(const smtpd::Limits& l, const listener::ClientLimits& c) {
    return {"--max-errors",
            std::to_string(l.max_errors),
            "--soft-error-limit",
            std::to_string(l.soft_errors),
            "--error-sleep-ms",
            std::to_string(l.error_sleep.count()),
            "--greet-wait-ms",
            std::to_string(l.greet_wait.count()),
            "--max-junk-commands",
            std::to_string(l.max_junk),
            "--max-header-size",
            std::to_string(l.max_header),
            "--max-hops",
            std::to_string(l.max_hops),
            "--max-client-connections",
            std::to_string(c.max_connections),
            "--max-client-rate",
            std::to_string(c.max_rate)};
}

}  // namespace orou::cli
