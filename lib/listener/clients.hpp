// Limits per client address, as Postfix's anvil keeps them: how many
// connections one address holds at once, and how many it opens in a
// minute (a fixed window per address).  IPv6 clients count per /64, the
// least a host is usually given.  The table is bounded: an entry with no
// open connection expires with its window, and a full table drops its
// oldest such entry, so many addresses cannot grow it without bound.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace orou::listener {

struct ClientLimits {
    int max_connections = 10;  // at once from one address; 0: no limit
    int max_rate = 60;         // new connections from one address per window; 0: no limit
    static constexpr std::chrono::seconds window{60};

    bool any() const { return max_connections > 0 || max_rate > 0; }
};

// The address a limit counts: the IPv4 address (also when mapped into
// IPv6), or an IPv6 address's /64 as "2001:db8:1:2::/64".
std::string client_key(const sockaddr_storage& ss);

class ClientTable {
public:
    using Clock = std::chrono::steady_clock;
    enum class Verdict { Ok, TooMany, TooFast };

    // capacity: at most this many addresses; it must exceed the number of
    // connections open at once (those entries are never dropped).
    ClientTable(ClientLimits limits, std::size_t capacity);

    // Counts a new connection from `key`; Ok counts it as open until
    // release().  A refused connection counts toward the rate too.
    [[nodiscard]] Verdict admit(const std::string& key, Clock::time_point now);
    void release(const std::string& key);
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        int open = 0;
        int opened = 0;  // in the window that began at `since`
        Clock::time_point since;
    };

    Entry& entry(const std::string& key, Clock::time_point now);
    void expire(Clock::time_point now);
    void drop_oldest();

    ClientLimits limits_;
    std::size_t capacity_;
    std::unordered_map<std::string, Entry> entries_;
    Clock::time_point swept_{};
};

}  // namespace orou::listener
