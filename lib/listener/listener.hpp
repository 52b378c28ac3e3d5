// The small listener for machines without systemd: binds the ports (and,
// started as root, the unix sockets of the internal stages), runs one
// program per connection with the connection as its stdin and stdout
// (and REMOTE_ADDR/REMOTE_PORT set for TCP clients, as systemd does), as
// the port's user when it has one; reaps children, limits how many run at
// once (in all, and on TCP ports per client address: see clients.hpp),
// stops cleanly on SIGTERM or SIGINT.
//
// SIGHUP asks the caller for the ports anew (a reload): the listening
// sockets of the ports that stay are kept, and each program that was
// handed one gets SIGQUIT and a successor.  SIGQUIT makes a server stop
// accepting and end once its children have: the sessions in progress
// finish.
//
// A port may instead hand its listening socket to one long-running program
// (inetd's "wait" style), restarted when it ends, or, inside such a
// program, fork a child that runs a function per connection: no exec per
// connection.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "listener/clients.hpp"
#include "listener/privsep.hpp"
#include "log/log.hpp"

namespace orou::listener {

// Run in a forked child per connection: the connection, the client's
// address and port ("local" and "" on a unix socket).  Returns the child's
// exit status.
using Handler = std::function<int(int conn, const std::string& host, const std::string& port)>;

struct Port {
    std::string host;                   // TCP: address to bind
    std::string port;                   // TCP: number or service name
    std::vector<std::string> argv;      // run per connection
    std::string label;                  // for the log: "implicit", "starttls", "authcheck"
    std::string path;                   // a unix socket instead of host and port
    gid_t socket_group = 0;             // unix: the group that may connect (mode 0660)
    std::optional<Identity> user;       // run argv as this user (the listener is root)
    int log_fd = -1;                    // the children's stderr (-1: the listener's)
    bool hand_over = false;             // argv gets the listening socket, not each connection
    int fd = -1;                        // a listening socket we were given, not bound here
    Handler handler;                    // fork and run this per connection, not argv
    std::function<void()> before_fork;  // with handler: run in the server before each fork
    std::function<void()> in_child;     // with handler: run in each forked child first
    int prefork = 0;                    // with handler: children kept forked ahead (handoff.hpp)
    std::string busy_reply;             // what a connection over the limit is told
    std::string client_busy_reply;      // and one over its address's limits (TCP only)

    bool is_unix() const { return !path.empty(); }
};

struct Limits {
    int max_connections = 100;      // client sessions at once (TCP ports)
    int grace_seconds = 10;         // how long running sessions get at shutdown
    ClientLimits per_client{0, 0};  // per client address (TCP ports); none unless asked
};

// Each unix port may have up to this many connections per allowed session.
inline constexpr int kStagesPerSession = 4;

// What a listener serves, and the owner of what its ports refer to (the
// stages' log file, their socket directory): held while they are served.
struct PortSet {
    std::vector<Port> ports;
    Limits limits;
    std::shared_ptr<const void> owner;
};

// Called on SIGHUP: the ports to serve from now on, or nullopt to keep
// the running ones (the callee has logged why).
using Reload = std::function<std::optional<PortSet>()>;

// Serves until SIGTERM or SIGINT, or until the children have ended after
// SIGQUIT.  On SIGHUP, calls `reload` (none: SIGHUP is ignored).  Returns
// a sysexits status.
int serve(PortSet ports, log::Logger& log, const Reload& reload);
int serve(const std::vector<Port>& ports, const Limits& limits, log::Logger& log);

// Whether fd is a listening stream socket (inetd "wait", systemd Accept=no).
bool is_listening(int fd);

// The one socket systemd passed (made close-on-exec), or -1 when it passed
// none.  Throws ConfigError when it passed more than one, or when
// $LISTEN_PID or $LISTEN_FDS is garbage.
int systemd_socket();

// How many sockets systemd passed this process (self), from $LISTEN_PID and
// $LISTEN_FDS (either null: none); 0 when they are for another process.
inline constexpr int kFirstPassedSocket = 3;
int passed_sockets(const char* listen_pid, const char* listen_fds, pid_t self);

// How a program serves a listening socket it was given (systemd
// Accept=no, inetd "wait", the orouboros listener).
struct Forking {
    std::string program;     // names its fatal errors, e.g. "orouboros-smtpd"
    std::string label;       // the log's mode
    std::string busy_reply;  // told to a connection over the limit; "": closed unanswered
    int max_connections = 100;
    ClientLimits per_client{0, 0};      // none unless asked (the LMTP stages' clients are our own)
    std::string client_busy_reply{};    // told to a client over its address's limits; "": closed unanswered
    std::function<void()> reload = {};  // on SIGHUP, e.g. load the certificate again
    // Sessions kept forked ahead, each waiting to be handed a connection the
    // server accepted and admitted (handoff.hpp); 0: a fork per connection.
    // They are replaced after SIGHUP and after kPreforkMaxAge idle, and
    // end on SIGQUIT.
    int prefork = 0;
    std::function<void()> in_child = {};  // run in each forked child first, e.g. confine it
};

// How long a session forked ahead waits before it is replaced by a fresh
// one (forked after the server's latest state: its ticket keys).
inline constexpr std::chrono::seconds kPreforkMaxAge{60};

// inetd's "wait" and the listener pass the listening socket `fd` as stdout
// too: that copy, no output, would keep the socket listening after
// SIGQUIT, so stdout becomes /dev/null (when it can be opened).
void detach_stdout(int fd);

// Serves `fd` (made close-on-exec) until SIGTERM or SIGINT, or until
// its sessions have ended after SIGQUIT: each connection in a forked child
// that runs `handler` with SIGPIPE ignored, and `before_fork`, when given,
// in this process before each fork.
// Returns a sysexits status.
int serve_forking(int fd, const Forking& how, log::Logger& log, const Handler& handler,
                  std::function<void()> before_fork = {});

}  // namespace orou::listener
