#include "log/log.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <cstdio>

#include "base/error.hpp"

namespace orou::log {

Level parse_level(std::string_view name) {
    std::string up;
    for (char c : name) up += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    if (up == "DEBUG") return Level::Debug;
    if (up == "INFO") return Level::Info;
    if (up == "WARNING" || up == "WARN") return Level::Warning;
    if (up == "ERROR" || up == "CRITICAL") return Level::Error;
    throw ConfigError("unknown log level: " + std::string(name));
}

std::string escape(std::string_view value) {
    std::string out;
    bool quote = value.empty();
    for (unsigned char c : value) {
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            if (c == ' ' || c == '=') quote = true;
            out += static_cast<char>(c);
        }
    }
    return quote ? "\"" + out + "\"" : out;
}

Logger::Logger(std::string prog, std::string_view target, Level level)
    : prog_(std::move(prog)), level_(level) {
    if (target == "STDERR" || target.empty()) {
        out_ = stderr;
    } else if (target == "STDOUT") {
        out_ = stdout;
    } else if (target != "NONE") {
        std::string path(target);
        out_ = std::fopen(path.c_str(), "ae");
        if (!out_) throw SysError("open log file " + path, errno);
        owned_ = true;
    }
}

Logger::~Logger() {
    if (owned_) std::fclose(out_);
}

void Logger::event(Level level, std::string_view name, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string line = prog_ + "[" + std::to_string(::getpid()) + "]: ";
    if (!sid_.empty()) line += "sid=" + sid_ + " ";
    line += "event=" + escape(name);
    for (const auto& [k, v] : fields) line += " " + std::string(k) + "=" + escape(v);
    line += "\n";
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
}

std::string new_id() {
    unsigned char raw[8];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
    std::string id;
    for (unsigned char b : raw) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", b);
        id += hex;
    }
    return id;
}

}  // namespace orou::log
