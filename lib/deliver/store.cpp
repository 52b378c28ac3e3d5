#include "deliver/store.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <ctime>

#include "base/error.hpp"
#include "deliver/maildir.hpp"
#include "deliver/mbox.hpp"
#include "deliver/message_format.hpp"

namespace orou::deliver {

namespace {

// A mailbox directory planted as a symbolic link would take the mail out
// of the mail directory: refused until the admin removes it.
void refuse_link(const std::string& dir) {
    struct stat st;
    if (::lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        throw UnsafeMailbox(dir, "a symbolic link, which could lead outside the mail directory");
}

}  // namespace

std::string FileStore::mailbox_dir(const LocalPart& local) const {
    if (config_.layout == Layout::SingleMaildir) return config_.root;
    return config_.root + "/" + local.name;
}

std::string FileStore::store(std::string_view sender, std::string_view rcpt, const std::string& dir,
                             const smtp::MessageSource& message, std::string& repairs) {
    if (config_.layout != Layout::SingleMaildir) refuse_link(dir);
    if (config_.layout != Layout::Mbox)
        return deliver_maildir(dir, MaildirText(sender, rcpt, message), *writer_, config_.hostname);
    append_mbox(dir, MboxEntry(sender, rcpt, message, std::time(nullptr)), *writer_, config_.lock, &repairs);
    return dir + "/INBOX";
}

std::unique_ptr<smtp::Spool> Store::new_spool() { return smtp::temp_spool(); }

std::unique_ptr<smtp::Spool> FileStore::new_spool() {
    if (config_.layout != Layout::SingleMaildir) return std::make_unique<smtp::Spool>(config_.root);
    ensure_maildir(config_.root, *writer_);  // the one Maildir is made when missing, so its tmp/ is there
    return std::make_unique<smtp::Spool>(config_.root + "/tmp");
}

// The one place where a failed system call during a delivery becomes a
// per-recipient result instead of ending the process or the session.
DeliveryResult FileStore::deliver(std::string_view sender, std::string_view rcpt, const smtp::MessageSource& message) {
    LocalPart local = check(rcpt);
    if (!local.ok()) return {Outcome::Refused, "", local.refusal, ""};
    const std::string dir = mailbox_dir(local);
    std::string repairs;
    try {
        std::string mailbox = store(sender, rcpt, dir, message, repairs);
        return {Outcome::Delivered, std::move(mailbox), "", std::move(repairs)};
    } catch (const UnsafeMailbox& e) {
        return {Outcome::Unsafe, dir, e.what(), std::move(repairs)};
    } catch (const SysError& e) {
        return {write_failure(e.code()), dir, e.what(), std::move(repairs)};
    }
}

Outcome write_failure(int err) {
    return err == ENOSPC || err == EDQUOT || err == EFBIG ? Outcome::DiskFull : Outcome::Temporary;
}

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
    case Outcome::Delivered: return "delivered";
    case Outcome::Temporary:
    case Outcome::Unsafe:
    case Outcome::DiskFull: return "deferred";
    case Outcome::Refused: return "refused";
    }
    return "unknown";
}

void log_delivery(log::Logger& log, std::string_view msgid, std::string_view sender, std::string_view rcpt,
                  const DeliveryResult& result) {
    const std::string from = "<" + std::string(sender) + ">";
    const char* outcome = outcome_name(result.outcome);
    if (!result.repairs.empty())
        log.event(log::Level::Warning, "repair",
                  {{"msgid", msgid}, {"mailbox", result.mailbox}, {"done", result.repairs}});
    if (result.outcome == Outcome::Delivered) {
        log.event(log::Level::Info, "delivery",
                  {{"msgid", msgid}, {"from", from}, {"to", rcpt}, {"mailbox", result.mailbox}, {"result", outcome}});
        return;
    }
    log.event(log::Level::Warning, "delivery",
              {{"msgid", msgid},
               {"from", from},
               {"to", rcpt},
               {"mailbox", result.mailbox},
               {"result", outcome},
               {"error", result.error}});
}

}  // namespace orou::deliver
