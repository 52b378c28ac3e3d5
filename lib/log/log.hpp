// One line per event: "prog[pid]: sid=... event=... key=value ...".
// Values with spaces are quoted, control bytes escaped.  Secrets never
// reach this API: it takes only strings the caller chose to log.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace orou::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3 };

// "DEBUG", "INFO", "WARNING" (or "WARN"), "ERROR" (any case); throws ConfigError.
Level parse_level(std::string_view name);

// Escapes control bytes and non-ASCII as \xNN and quotes values with spaces.
std::string escape(std::string_view value);

using Field = std::pair<std::string_view, std::string_view>;

class Logger {
public:
    // target: "STDERR", "STDOUT", "NONE" or a file path (appended to).
    Logger(std::string prog, std::string_view target, Level level);
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;
    ~Logger();

    void set_sid(std::string sid) { sid_ = std::move(sid); }
    const std::string& sid() const { return sid_; }
    bool enabled(Level level) const { return out_ && level >= level_; }

    void event(Level level, std::string_view name, std::initializer_list<Field> fields);

private:
    std::string prog_;
    std::string sid_;
    Level level_;
    std::FILE* out_ = nullptr;
    bool owned_ = false;
};

// 16 hex digits from OpenSSL's RAND_bytes: one id per session / message.
std::string new_id();

}  // namespace orou::log
