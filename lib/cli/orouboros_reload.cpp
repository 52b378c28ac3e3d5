// The listener served with its reload: on SIGHUP its log file is opened
// again (logrotate), and the command line and the configuration file are
// read again, as at the start.
#include <memory>

#include "base/error.hpp"
#include "cli/orouboros_options.hpp"

namespace orou::cli {

namespace {

listener::PortSet port_set(const std::shared_ptr<ListenerOptions>& options) {
    return {options->ports, options->limits, options};
}

}  // namespace

int serve_orouboros(ListenerOptions options, int argc, char** argv, log::Logger& log) {
    auto running = std::make_shared<ListenerOptions>(std::move(options));
    listener::Reload reload = [&]() -> std::optional<listener::PortSet> {
        try {
            log.reopen();
        } catch (const SysError& e) {  // the old file stays
            log.event(log::Level::Error, "log-reopen-failed", {{"reason", e.what()}});
        }
        try {
            running = std::make_shared<ListenerOptions>(reread_orouboros(argc, argv, *running));
            return port_set(running);
        } catch (const std::exception& e) {  // a configuration that no longer holds: the running one stays
            log.event(log::Level::Error, "reload-failed", {{"reason", e.what()}});
            return std::nullopt;
        }
    };
    return listener::serve(port_set(running), log, reload);
}

}  // namespace orou::cli
