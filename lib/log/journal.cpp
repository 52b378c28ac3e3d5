#include "log/journal.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "log/log.hpp"

namespace orou::log {

int priority_of(Level level) {
    switch (level) {
    case Level::Debug: return LOG_DEBUG;
    case Level::Info: return LOG_INFO;
    case Level::Warning: return LOG_WARNING;
    case Level::Error: return LOG_ERR;
    }
    return LOG_INFO;
}

std::string field_name(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
        else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
        else out += '_';
    }
    if (out.empty() || out[0] == '_' || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "F");
    return out.substr(0, 64);  // the journal's limit on a field name
}

bool stderr_is_journal() {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (!env || !*env) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

bool journal_listens() { return ::access("/run/systemd/journal/socket", W_OK) == 0; }

void JournalEntry::add(std::string_view key, std::string_view value) {
    fields.push_back(field_name(key) + "=" + std::string(value));
}

bool send(const JournalEntry& entry) {
    std::vector<iovec> iov;
    iov.reserve(entry.fields.size());
    for (const auto& f : entry.fields) iov.push_back({const_cast<char*>(f.data()), f.size()});
    // The function, not the macro of the same name: CODE_FILE= and its
    // kin would name this file for every event.
    return (sd_journal_sendv)(iov.data(), static_cast<int>(iov.size())) == 0;
}

}  // namespace orou::log
