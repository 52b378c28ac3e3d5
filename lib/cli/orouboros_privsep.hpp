// The listener started as root: each part of the relay under its own user
// (orouboros-smtpd, orouboros-authcheck, orouboros-mbox-deliver,
// orouboros-forward), the stages on unix sockets that only the smtpd user's
// group may connect to, as the systemd units do it.
#pragma once

#include <string>
#include <vector>

#include "base/fd.hpp"
#include "cli/orouboros_raw.hpp"
#include "listener/listener.hpp"

namespace orou::cli {

struct Separation {
    listener::Identity smtpd, authcheck, deliver, forwarder;
    listener::Identity dkim;  // with --dkim-key (cli/orouboros_dkim.hpp)
};

// Looks the four users up (ExitError EX_NOUSER when one is missing) and
// checks that each can reach its programs and files (ExitError EX_NOPERM
// naming the user and the file when not).  Makes the socket directory and
// gives a mail directory made now to the delivery user.
Separation separate(const RawListenerOptions& r, bool mail_dir_is_new);

// What separate() would refuse, all of it, with no change made: each
// missing user (EX_NOUSER), each file a part's user cannot reach (EX_NOPERM).
std::vector<Problem> separation_problems(const RawListenerOptions& r);

// The stages as unix ports of the listener in `dir`, and the routes to them
// for orouboros-smtpd; log_fd becomes the stages' stderr.  Each stage runs
// as its user of `s` (nullptr: as ours).  Each stage gets the listening
// socket itself and serves it with a pool of workers, up to max_sessions
// sessions' connections.
std::vector<listener::Port> stage_ports(const std::string& dir, const StageCommands& commands, const Separation* s,
                                        int log_fd, int max_sessions, Routes& routes);

// Started as root: SOCKET_DIR/authcheck, the authcheck user's alone (0700),
// for the scores of its --state-dir.
std::string state_dir(const std::string& socket_dir, const listener::Identity& authcheck);

// A directory only we can enter (mode 0700, in $TMPDIR), for the stages'
// sockets and the authcheck scores when every part runs as one user;
// removed with what is in it when destroyed.
class PrivateDir {
public:
    PrivateDir();
    PrivateDir(const PrivateDir&) = delete;
    PrivateDir& operator=(const PrivateDir&) = delete;
    ~PrivateDir();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Opens a log file (appended to, made 0640) for children that cannot open
// it themselves; an empty Fd for STDERR, STDOUT, NONE and JOURNAL.
Fd open_log_file(const std::string& target);

}  // namespace orou::cli
