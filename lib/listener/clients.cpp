#include "listener/clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <climits>
#include <cstring>

namespace orou::listener {

std::string client_key(const sockaddr_storage& ss) {
    char text[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
        return ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) ? text : "unknown";
    }
    if (ss.ss_family != AF_INET6) return "local";
    in6_addr a = reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) return ::inet_ntop(AF_INET, &a.s6_addr[12], text, sizeof text) ? text : "unknown";
    std::memset(&a.s6_addr[8], 0, 8);  // the interface part: one host may have any of them
    return ::inet_ntop(AF_INET6, &a, text, sizeof text) ? std::string(text) + "/64" : "unknown";
}

ClientTable::ClientTable(ClientLimits limits, std::size_t capacity) : limits_(limits), capacity_(capacity) {}

ClientTable::Verdict ClientTable::admit(const std::string& key, Clock::time_point now) {
    Entry& e = entry(key, now);
    if (now - e.since >= ClientLimits::window) e.since = now, e.opened = 0;
    if (e.opened < INT_MAX) ++e.opened;
    if (limits_.max_connections > 0 && e.open >= limits_.max_connections) return Verdict::TooMany;
    if (limits_.max_rate > 0 && e.opened > limits_.max_rate) return Verdict::TooFast;
    ++e.open;
    return Verdict::Ok;
}

void ClientTable::release(const std::string& key) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.open > 0) --it->second.open;
}

ClientTable::Entry& ClientTable::entry(const std::string& key, Clock::time_point now) {
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
    if (entries_.size() >= capacity_ || now - swept_ >= ClientLimits::window) {
        expire(now);
        swept_ = now;
    }
    if (entries_.size() >= capacity_) drop_oldest();
    return entries_.emplace(key, Entry{0, 0, now}).first->second;
}

// Forgets the addresses with no open connection whose window is over.
void ClientTable::expire(Clock::time_point now) {
    std::erase_if(entries_,
                  [&](const auto& kv) { return kv.second.open == 0 && now - kv.second.since >= ClientLimits::window; });
}

// A full table of recent addresses: the one whose window began first
// goes (its rate starts over if it comes back); an open one never does.
void ClientTable::drop_oldest() {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (it->second.open == 0 && (oldest == entries_.end() || it->second.since < oldest->second.since)) oldest = it;
    if (oldest != entries_.end()) entries_.erase(oldest);
}

}  // namespace orou::listener
