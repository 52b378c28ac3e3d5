#include "log/log.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/error.hpp"
#include "log/journal.hpp"

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

std::string escape_bytes(std::string_view value) {
    std::string out;
    for (unsigned char c : value) {
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string escape(std::string_view value) {
    std::string out = escape_bytes(value);
    bool quote = value.empty() || value.find_first_of(" =") != std::string_view::npos;
    return quote ? "\"" + out + "\"" : out;
}

Logger::Logger(std::string prog, std::string_view target, Level level) : prog_(std::move(prog)), level_(level) {
    if (target == "JOURNAL") {
        out_ = stderr;  // where the lines go when the journal is not there
        journal_ = connect_journal();
    } else if (target == "STDERR" || target.empty()) {
        out_ = stderr;
        if (stderr_is_journal()) journal_ = connect_journal();
    } else if (target == "STDOUT") {
        out_ = stdout;
    } else if (target != "NONE") {
        path_ = target;
        out_ = std::fopen(path_.c_str(), "ae");
        if (!out_) throw SysError("open log file " + path_, errno);
        owned_ = true;
    }
}

void Logger::reopen() {
    if (!owned_) return;
    std::FILE* next = std::fopen(path_.c_str(), "ae");
    if (!next) throw SysError("open log file " + path_, errno);
    std::fclose(out_);
    out_ = next;
}

Logger::~Logger() {
    if (owned_) std::fclose(out_);
}

void Logger::event(Level level, std::string_view name, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string text;
    if (!sid_.empty()) text += "sid=" + sid_ + " ";
    text += "event=" + escape(name);
    for (const auto& [k, v] : fields) text += " " + std::string(k) + "=" + escape(v);
    if (journal_ && send_journal(level, name, fields, text)) return;
    std::string line = prog_ + "[" + std::to_string(::getpid()) + "]: " + text + "\n";
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
}

bool Logger::send_journal(Level level, std::string_view name, std::initializer_list<Field> fields,
                          const std::string& text) const {
    JournalEntry entry;
    entry.fields = {"MESSAGE=" + text, "PRIORITY=" + std::to_string(priority_of(level)), "SYSLOG_IDENTIFIER=" + prog_};
    if (!sid_.empty()) entry.add("sid", sid_);
    entry.add("event", escape_bytes(name));
    for (const auto& [k, v] : fields) entry.add(k, escape_bytes(v));
    return send(journal_.get(), entry);
}

std::string new_id() {
    unsigned char raw[8];
    // Not a secret, so the kernel's pool: OpenSSL's DRBG costs a program
    // that does no TLS about 3.5 ms to set up (bench/README.md).
    if (::getrandom(raw, sizeof raw, 0) != sizeof raw) throw SysError("getrandom", errno);
    // Hex by hand: snprintf's code and stack are pages that a session
    // forked ahead would otherwise fault in for its ids (measured with bench/).
    constexpr char kHex[] = "0123456789abcdef";
    std::string id(2 * sizeof raw, '0');
    for (std::size_t i = 0; i < sizeof raw; ++i) {
        id[2 * i] = kHex[raw[i] >> 4];
        id[2 * i + 1] = kHex[raw[i] & 0xf];
    }
    return id;
}

}  // namespace orou::log
