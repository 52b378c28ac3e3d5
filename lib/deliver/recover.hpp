// orouboros-mbox-deliver --recover: the repair pass over a whole mail
// directory, for a boot script, a timer or ExecStartPre=.  Deliveries do
// the same repair for their own mailbox as they lock it; this pass also
// reaches mailboxes that get no mail for a while.
#pragma once

#include "deliver/store.hpp"
#include "log/log.hpp"

namespace orou::deliver {

inline constexpr std::chrono::hours kMaildirTmpAge{36};  // as the Maildir convention says

// mbox: repairs every DIR/<local part>/INBOX whose dot-lock a dead (or
// stale) holder left (see mbox_lock.hpp).  Maildir: removes files older
// than 36 hours from tmp/ (a delivery killed there never reached new/).
// Logs each repair; returns EX_OK, or EX_TEMPFAIL when a lock was busy or
// a repair failed.
int recover_all(const StoreConfig& config, log::Logger& log);

}  // namespace orou::deliver
