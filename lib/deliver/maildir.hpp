// Delivering into a Maildir (https://cr.yp.to/proto/maildir.html): write
// into tmp/, fsync, rename into new/, fsync new/ and tmp/.
#pragma once

#include <string>
#include <string_view>

#include "deliver/files.hpp"
#include "deliver/message_format.hpp"

namespace orou::deliver {

// Creates the Maildir `dir` and its tmp/, new/ and cur/ as needed (mode
// 0700), fsyncing each directory that gained an entry.
void ensure_maildir(const std::string& dir, Writer& writer);

// A unique file name, "<seconds>.M<usec>P<pid>R<random>.<host>", with '/'
// and ':' in the host name written as \057 and \072.
std::string unique_name(std::string_view hostname);

// Delivers `text` (a MaildirText) into the Maildir `dir`.  Returns the
// file's path in new/ once the file and the directories are fsynced;
// throws SysError otherwise, leaving no file in tmp/ or new/.
std::string deliver_maildir(const std::string& dir, const Entry& text, Writer& writer, std::string_view hostname);
inline std::string deliver_maildir(const std::string& dir, std::string_view text, Writer& writer,
                                   std::string_view hostname) {
    return deliver_maildir(dir, RawEntry(text), writer, hostname);
}

}  // namespace orou::deliver
