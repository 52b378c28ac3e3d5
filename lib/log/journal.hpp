// The systemd journal as a log target: each event becomes one entry with a
// priority and one field per key (sid=... becomes SID=...), sent with
// sd_journal_sendv.  The text of MESSAGE= is the plain log line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// Whether journald's socket is there (sd_journal_sendv drops entries
// silently when it is not).
bool journal_listens();

// One journal entry: "MESSAGE=...", "PRIORITY=...", "SYSLOG_IDENTIFIER=..."
// then "KEY=value" for each field, in order.
struct JournalEntry {
    std::vector<std::string> fields;
    void add(std::string_view key, std::string_view value);
};

// Sends the entry; false when the journal refused it.
[[nodiscard]] bool send(const JournalEntry& entry);

}  // namespace orou::log
