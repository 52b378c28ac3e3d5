// One line per event: "prog[pid]: sid=... event=... key=value ...".
// Values with spaces are quoted, control bytes escaped.  Under systemd the
// same event is one journal entry instead, with its priority and one field
// per key (see journal.hpp).  Secrets never reach this API: it takes only
// strings the caller chose to log.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "base/fd.hpp"

namespace orou::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3 };

// "DEBUG", "INFO", "WARNING" (or "WARN"), "ERROR" (any case); throws ConfigError.
Level parse_level(std::string_view name);

// Escapes control bytes, non-ASCII, '"' and '\' as \xNN.
std::string escape_bytes(std::string_view value);

// escape_bytes(), then quotes a value that is empty or holds ' ' or '='.
std::string escape(std::string_view value);

using Field = std::pair<std::string_view, std::string_view>;

class Logger {
public:
    // target: "STDERR" (the journal instead when stderr is systemd's
    // journal stream), "JOURNAL" (stderr when journald does not listen),
    // "STDOUT", "NONE" or a file path (appended to).
    Logger(std::string prog, std::string_view target, Level level);
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;
    ~Logger();

    void set_sid(std::string sid) { sid_ = std::move(sid); }
    const std::string& sid() const { return sid_; }
    bool enabled(Level level) const { return out_ && level >= level_; }
    bool journal() const { return static_cast<bool>(journal_); }  // events go to the journal

    void event(Level level, std::string_view name, std::initializer_list<Field> fields);

    // A file target is opened again by its name, so that lines go to a new
    // file after the old one was renamed (logrotate); other targets stay.
    // Throws SysError, and keeps the open file, when it cannot be opened.
    void reopen();

private:
    bool send_journal(Level level, std::string_view name, std::initializer_list<Field> fields,
                      const std::string& text) const;

    std::string prog_;
    std::string path_;  // of a file target
    std::string sid_;
    Level level_;
    std::FILE* out_ = nullptr;
    bool owned_ = false;
    Fd journal_;  // connected to journald's socket
};

// 16 random hex digits from getrandom(2): one id per session / message.
std::string new_id();

}  // namespace orou::log
