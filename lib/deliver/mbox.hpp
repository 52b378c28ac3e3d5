// Appending to an mbox: dot-lock plus fcntl lock, fsync, and on any
// failure the file cut back to its old size (removed when this delivery
// created it), so the mbox is byte for byte what it was; after a SIGKILL
// the next locker does the cutting (mbox_lock.hpp).
#pragma once

#include <string>
#include <string_view>

#include "deliver/files.hpp"
#include "deliver/message_format.hpp"

namespace orou::deliver {

// Appends `entry` (an MboxEntry) to `dir`/INBOX.  `dir` is created
// (mode 0700, its parent fsynced) when missing; INBOX is created mode 0600
// and must be a regular file, not a symbolic link.  Returns only once the
// entry is fsynced; throws SysError otherwise, after the rollback.  What
// taking the lock repaired (see mbox_lock.hpp) is noted in *repairs.
void append_mbox(const std::string& dir, const Entry& entry, Writer& writer, const LockTimes& times,
                 std::string* repairs = nullptr);
inline void append_mbox(const std::string& dir, std::string_view entry, Writer& writer, const LockTimes& times,
                        std::string* repairs = nullptr) {
    append_mbox(dir, RawEntry(entry), writer, times, repairs);
}

}  // namespace orou::deliver
