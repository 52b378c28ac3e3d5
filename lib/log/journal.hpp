// The systemd journal as a log target: each event becomes one entry with a
// priority and one field per key (sid=... becomes SID=...), sent by
// journald's native protocol.  The text of MESSAGE= is the plain log line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/fd.hpp"

namespace orou::log {

enum class Level;

// The syslog priority of a level: Debug 7, Info 6, Warning 4, Error 3.
int priority_of(Level level);

// A log key as a journal field name: upper case, anything but letters and
// digits becomes '_', a leading digit or '_' gets "F" before it
// ("work_factor" -> "WORK_FACTOR", "client-port" -> "CLIENT_PORT").
std::string field_name(std::string_view key);

// Whether stderr is systemd's journal stream: $JOURNAL_STREAM names the
// device and inode of stderr (what systemd sets for StandardError=journal).
bool stderr_is_journal();

// Where journald takes entries by its native protocol.
inline constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

// One journal entry: "MESSAGE=...", "PRIORITY=...", "SYSLOG_IDENTIFIER=..."
// then "KEY=value" for each field, in order.
struct JournalEntry {
    std::vector<std::string> fields;
    void add(std::string_view key, std::string_view value);
};

// The entry as one datagram of journald's native protocol: "KEY=value\n"
// for each field, and "KEY\n", the value's length (64 bits, little
// endian), the value and "\n" for a value with a newline.
std::string serialise(const JournalEntry& entry);

// A datagram socket connected to journald's socket at path (close-on-exec,
// so no stage inherits it; a session forked later, or chrooted, still
// reaches it), or no socket when nothing listens there.
Fd connect_journal(const char* path = kJournalSocket);

// Sends the entry on a socket from connect_journal; false when the journal
// did not take it (gone, or the entry too large for a datagram).
[[nodiscard]] bool send(int journal, const JournalEntry& entry);

}  // namespace orou::log
