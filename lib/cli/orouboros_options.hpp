// The command line of `orouboros`, the original program's: it becomes the
// listener's ports and the orouboros-smtpd command line run per connection.
#pragma once

#include <string>
#include <vector>

#include <memory>
#include <optional>

#include "base/fd.hpp"
#include "cli/orouboros_privsep.hpp"
#include "listener/dir_lock.hpp"
#include "listener/listener.hpp"

namespace orou::cli {

struct ListenerOptions {
    std::vector<listener::Port> ports;
    Fd stage_log;                            // started as root with --log FILE: the children's stderr
    std::unique_ptr<PrivateDir> socket_dir;  // one user: where the stages' sockets are
    std::optional<listener::DirLock> lock;   // started as root: --socket-dir is ours alone
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

}  // namespace orou::cli
