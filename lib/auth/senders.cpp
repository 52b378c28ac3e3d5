#include "auth/senders.hpp"

#include <algorithm>
#include <cctype>

namespace orou::auth {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool blank_or_control(unsigned char c) { return c <= 0x20 || c == 0x7f; }

}  // namespace

std::optional<std::string> normalize_sender(std::string_view entry) {
    if (entry.empty() || entry.size() > kMaxSenderLength) return std::nullopt;
    if (std::any_of(entry.begin(), entry.end(), [](char c) { return blank_or_control(c); })) return std::nullopt;
    if (entry == kAnySender) return std::string(kAnySender);
    const bool whole_domain = entry.front() == '@' || entry.find('@') == std::string_view::npos;
    if (whole_domain) {
        auto domain = smtp::normalize_domain(entry.front() == '@' ? entry.substr(1) : entry);
        if (!domain) return std::nullopt;
        return "@" + *domain;
    }
    auto parsed = smtp::parse_path("FROM:<" + std::string(entry) + ">", "FROM", false);
    if (!parsed.path || !parsed.path->params.empty()) return std::nullopt;
    const auto& a = parsed.path->address;
    return lower(a.local) + "@" + a.domain;
}

bool add_sender(std::vector<std::string>& senders, std::string_view entry) {
    auto sender = normalize_sender(entry);
    if (!sender) return false;
    if (std::find(senders.begin(), senders.end(), *sender) == senders.end()) senders.push_back(std::move(*sender));
    return true;
}

bool sender_mapped(std::span<const std::string> senders, const smtp::Address& from) {
    const std::string address = lower(from.local) + "@" + from.domain;
    const std::string domain = "@" + from.domain;
    return std::any_of(senders.begin(), senders.end(),
                       [&](const std::string& s) { return s == kAnySender || s == address || s == domain; });
}

}  // namespace orou::auth
