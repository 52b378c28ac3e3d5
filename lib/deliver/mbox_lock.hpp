// The dot-lock of an mbox, and the recovery it makes possible.
//
// SIGKILL (the OOM killer, systemd's last resort, a `kill -9`) cannot be
// caught, so a delivery killed while it appends leaves part of an entry at
// the end of the mbox.  The dot-lock remembers how to undo it: it names its
// holder ("PID\norouboros-mbox-deliver host=HOST\n", present from the
// instant the lock exists), and before the first byte is appended the
// holder adds what it is about to do: the mbox's device, inode and old
// size, the size it will end at, whether it writes a separating newline
// first, and whether it created the file.  Whoever next finds the lock
// with its holder dead (same host, no such pid) or stale takes the mbox's
// fcntl lock, cuts the mbox back to the old size (only when it is still
// the same file, its size lies between the old and the announced end, and
// the new bytes begin like our entry), and removes the lock.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/fd.hpp"
#include "deliver/files.hpp"

namespace orou::deliver {

// What a holder is about to append (written into its lock first).
struct AppendSpan {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;          // before the append
    off_t end = 0;           // after it
    bool separator = false;  // a "\n" goes first (the mbox did not end with one)
    bool created = false;    // this delivery created the mbox
};

class DotLock {
public:
    // Takes `mbox_path` + ".lock", waiting up to times.wait; repairs what a
    // dead (or stale) holder left first.  A note of each repair is added to
    // *repairs when given.  Throws SysError (EAGAIN: held too long).
    DotLock(std::string mbox_path, const LockTimes& times, std::string* repairs = nullptr);
    DotLock(const DotLock&) = delete;
    DotLock& operator=(const DotLock&) = delete;
    ~DotLock();  // removes the lock, if it is still this one

    // Records the append about to start, so that a kill can be undone.
    void record(const AppendSpan& span);

private:
    std::string path_;
    Fd fd_;
};

enum class Repair {
    None,      // no lock, or nothing to do
    Repaired,  // a dead holder's lock removed (and its append cut back)
    Busy,      // the holder is alive and the lock fresh: left alone
};

// The --recover pass for one mbox: repairs what a dead or stale holder of
// its dot-lock left.  `note` says what was done.  Throws SysError.
Repair recover_mbox(const std::string& mbox_path, const LockTimes& times, std::string& note);

}  // namespace orou::deliver
