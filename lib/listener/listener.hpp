// The small listener for machines without systemd: binds the ports, runs
// one program per connection with the connection as its stdin and stdout
// (and REMOTE_ADDR/REMOTE_PORT set, as systemd does), reaps children,
// limits how many run at once, stops cleanly on SIGTERM or SIGINT.
#pragma once

#include <string>
#include <vector>

#include "log/log.hpp"

namespace orou::listener {

struct Port {
    std::string host;                // address to bind
    std::string port;                // number or service name
    std::vector<std::string> argv;   // run per connection
    std::string label;               // for the log: "implicit TLS", "STARTTLS"
};

struct Limits {
    int max_connections = 100;
    int grace_seconds = 10;  // how long running sessions get at shutdown
};

// Serves until SIGTERM or SIGINT.  Returns a sysexits status.
int serve(const std::vector<Port>& ports, const Limits& limits, log::Logger& log);

}  // namespace orou::listener
