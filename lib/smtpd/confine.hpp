// Confining orouboros-smtpd: started as root it loads what it needs and
// drops to its user (in a chroot); each session, the process that reads
// the network, runs under a system call allow-list.
#pragma once

#include <linux/filter.h>

#include <string>
#include <string_view>
#include <vector>

#include "smtpd/program.hpp"

namespace orou::smtpd {

// With --user (and --chroot): seeds OpenSSL's random generator, then
// becomes the user inside the directory (listener::
// drop_privileges) and makes each unix: stage path relative to it.
// Throws ExitError(EX_NOPERM) when not root, ConfigError when a stage lies
// outside the directory or must be spawned (exec:).
void drop_root(Options& options);

// The stage spec as seen from inside `root` ("unix:ROOT/x.sock" is
// "unix:/x.sock"); lmtp: and tcp: are unchanged.  Throws ConfigError for
// exec: and for a unix: path outside `root`.
std::string spec_inside(std::string_view spec, const std::string& root);

// Whether every stage is reached over a unix socket: then a session needs
// no file, no process and no name lookup, and can be held to the
// allow-list.  An exec: stage is a program the session starts, an lmtp:
// host a name it looks up.
bool can_restrict(const Options& options);

// The allow-list as a BPF program, compiled once (libseccomp) before the
// first session: each session then only loads it (a compile per session
// cost about 1 ms).  Any other system call kills the session with SIGSYS.
class SyscallFilter {
public:
    // Throws SysError when libseccomp cannot compile it.
    static SyscallFilter compile();
    // Into this process, with no-new-privileges.  Throws SysError.
    void load() const;

private:
    std::vector<sock_filter> program_;
};

}  // namespace orou::smtpd
