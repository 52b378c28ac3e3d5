// Where a message goes: the Store interface the LMTP server and the
// sendmail mode deliver through, and the file store behind it (an mbox or
// a Maildir per local part, or one Maildir for everyone).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "deliver/files.hpp"
#include "deliver/local_part.hpp"
#include "log/log.hpp"
#include "smtp/message.hpp"
#include "smtp/spool.hpp"

namespace orou::deliver {

enum class Outcome {
    Delivered,  // durably stored (fsynced)
    Temporary,  // not stored, may work later
    DiskFull,   // not stored: no space or quota left
    Unsafe,     // not stored: the mailbox is a link or not a regular file (files.hpp); temporary
    Refused,    // will never work (a refused local part)
};

struct DeliveryResult {
    Outcome outcome;
    std::string mailbox;  // the file or Maildir written to, "" when none
    std::string error;    // why it failed, for the log; "" when delivered
    std::string repairs;  // what taking the mbox lock repaired first (a dead holder's append), for the log
};

class Store {
public:
    virtual ~Store() = default;
    // Whether `rcpt` can be delivered to (its local part is usable).
    [[nodiscard]] virtual LocalPart check(std::string_view rcpt) const = 0;
    // Stores `message` for `rcpt`.  Never throws a SysError: a failure is
    // a Temporary, DiskFull or Unsafe result.
    [[nodiscard]] virtual DeliveryResult deliver(std::string_view sender, std::string_view rcpt,
                                                 const smtp::MessageSource& message) = 0;
    // The same for a message in a string (CRLF or LF line ends).
    [[nodiscard]] DeliveryResult deliver(std::string_view sender, std::string_view rcpt, std::string_view message) {
        return deliver(sender, rcpt, smtp::StringMessage(message));
    }
    // An empty spool for a message on its way in, on the store's file
    // system ($TMPDIR or /tmp unless the store says otherwise).  Throws
    // SysError.
    [[nodiscard]] virtual std::unique_ptr<smtp::Spool> new_spool();
};

enum class Layout {
    Mbox,           // ROOT/<local part>/INBOX
    Maildir,        // ROOT/<local part>/{tmp,new,cur}
    SingleMaildir,  // ROOT/{tmp,new,cur} for every recipient
};

struct StoreConfig {
    Layout layout = Layout::Mbox;
    std::string root;
    std::string hostname;  // for Maildir file names
    LockTimes lock;
};

class FileStore final : public Store {
public:
    // Borrows the writer.
    FileStore(StoreConfig config, Writer& writer) : config_(std::move(config)), writer_(&writer) {}

    LocalPart check(std::string_view rcpt) const override { return check_local_part(rcpt); }
    using Store::deliver;
    DeliveryResult deliver(std::string_view sender, std::string_view rcpt, const smtp::MessageSource& message) override;
    // In the mail root (which must be there), or the one Maildir's tmp/.
    std::unique_ptr<smtp::Spool> new_spool() override;

private:
    std::string mailbox_dir(const LocalPart& local) const;
    // Stores into `dir`; returns the file written.  Throws SysError.
    std::string store(std::string_view sender, std::string_view rcpt, const std::string& dir,
                      const smtp::MessageSource& message, std::string& repairs);

    StoreConfig config_;
    Writer* writer_;
};

// What a write that failed with errno `err` means: DiskFull when no space
// or quota is left, else Temporary.
Outcome write_failure(int err);

// "delivered", "deferred" or "refused".
const char* outcome_name(Outcome outcome);

// The one log line of a delivery: msgid, from, to, mailbox, result, error;
// and a warning line for each repair made before it.
void log_delivery(log::Logger& log, std::string_view msgid, std::string_view sender, std::string_view rcpt,
                  const DeliveryResult& result);

}  // namespace orou::deliver
