// The command line of `orouboros`, the original program's: it becomes the
// listener's ports and the orouboros-smtpd command line run per connection.
#pragma once

#include <string>
#include <vector>

#include <memory>
#include <optional>

#include "base/fd.hpp"
#include "cli/options.hpp"
#include "cli/orouboros_privsep.hpp"
#include "listener/dir_lock.hpp"
#include "listener/listener.hpp"
#include "log/log.hpp"

namespace orou::cli {

inline constexpr Spec kListenerSpec{
    "orouboros", "orouboros",
    "orouboros [--host ADDR]... [--port N] [--ssl-port N] [--submission-port N] [--cert FILE --key FILE]\n"
    "       [--delivery-domain D]... [--forward-domain D]... [--local]\n"
    "       [--mboxdir DIR | --maildir DIR | --wmaildir DIR] [--user-credentials FILE]\n"
    "       [--log STDERR|STDOUT|FILE] [--log-level LEVEL] [options]",
    "relay-mx relay-host no-relay|mboxdir maildir wmaildir"};

// The long names of its options.
std::vector<std::string> listener_keys();

struct ListenerOptions {
    std::vector<listener::Port> ports;
    Fd stage_log;                             // started as root with --log FILE: the children's stderr
    std::shared_ptr<PrivateDir> socket_dir;   // one user: where the stages' sockets are (kept by a reload)
    std::shared_ptr<listener::DirLock> lock;  // started as root: --socket-dir is ours alone (kept by a reload)
    listener::Limits limits;
    std::string log_target = "STDERR";
    std::string log_level = "INFO";
};

// Bad usage prints a message and exits EX_USAGE; a missing program exits
// EX_UNAVAILABLE and a certificate that does not load EX_CONFIG; started
// as root, a missing user exits EX_NOUSER and a file that a part's user
// cannot reach EX_NOPERM, and a socket directory that another listener
// serves EX_TEMPFAIL: all before anything listens.
ListenerOptions parse_orouboros(int argc, char** argv);

// The same, read again for a reload (SIGHUP) of the running listener:
// throws (po::error, ConfigError, SysError, ExitError) instead, and keeps
// the running one's private socket directory.
ListenerOptions reread_orouboros(int argc, char** argv, const ListenerOptions& running);

// Serves `options` (listener::serve) until SIGTERM; on SIGHUP reads the
// command line and the configuration file again and serves what they say
// now, or logs why not and keeps serving what runs.
int serve_orouboros(ListenerOptions options, int argc, char** argv, log::Logger& log);

}  // namespace orou::cli
