#include "log/journal.hpp"

#include <endian.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

void JournalEntry::add(std::string_view key, std::string_view value) {
    fields.push_back(field_name(key) + "=" + std::string(value));
}

// The protocol is systemd's own document (systemd.io/JOURNAL_NATIVE_PROTOCOL),
// written for clients that do not link libsystemd.  We do not: it and the
// six libraries it loads cost each start of a program started per
// connection 65 page faults (bench/RESULTS.md, "Starting one smtpd").
std::string serialise(const JournalEntry& entry) {
    std::string out;
    for (const auto& field : entry.fields) {
        const std::size_t eq = field.find('=');
        const std::string_view value = std::string_view(field).substr(eq + 1);
        if (value.find('\n') == std::string_view::npos) {
            out += field;
        } else {
            const std::uint64_t size = htole64(value.size());
            out.append(field, 0, eq).append("\n");
            out.append(reinterpret_cast<const char*>(&size), sizeof size).append(value);
        }
        out += '\n';
    }
    return out;
}

Fd connect_journal(const char* path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (std::strlen(path) >= sizeof addr.sun_path) return {};
    std::strcpy(addr.sun_path, path);
    Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return {};
    return fd;
}

bool send(int journal, const JournalEntry& entry) {
    const std::string datagram = serialise(entry);
    return ::send(journal, datagram.data(), datagram.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(datagram.size());
}

}  // namespace orou::log
