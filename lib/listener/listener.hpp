// The small listener for machines without systemd: binds the ports (and,
// started as root, the unix sockets of the internal stages), runs one
// program per connection with the connection as its stdin and stdout
// (and REMOTE_ADDR/REMOTE_PORT set for TCP clients, as systemd does), as
// the port's user when it has one; reaps children, limits how many run at
// once, stops cleanly on SIGTERM or SIGINT.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "listener/privsep.hpp"
#include "log/log.hpp"

namespace orou::listener {

struct Port {
    std::string host;                // TCP: address to bind
    std::string port;                // TCP: number or service name
    std::vector<std::string> argv;   // run per connection
    std::string label;               // for the log: "implicit", "starttls", "authcheck"
    std::string path;                // a unix socket instead of host and port
    gid_t socket_group = 0;          // unix: the group that may connect (mode 0660)
    std::optional<Identity> user;    // run argv as this user (the listener is root)
    int log_fd = -1;                 // the children's stderr (-1: the listener's)

    bool is_unix() const { return !path.empty(); }
};

struct Limits {
    int max_connections = 100;  // client sessions at once (TCP ports)
    int grace_seconds = 10;     // how long running sessions get at shutdown
};

// Each unix port may have up to this many connections per allowed session.
inline constexpr int kStagesPerSession = 4;

// Serves until SIGTERM or SIGINT.  Returns a sysexits status.
int serve(const std::vector<Port>& ports, const Limits& limits, log::Logger& log);

}  // namespace orou::listener
