#include "smtpd/privacy.hpp"

#include <string_view>

namespace orou::smtpd {

namespace {

struct FixedText {
    std::string_view subject_detail;  // "1.1" of 5.1.1; "1" for the whole subject
    std::string_view text;
};

// After RFC 3463's names; the most precise entry first.
constexpr FixedText kTexts[] = {
    {"1.0", "address rejected"},
    {"1.1", "recipient rejected"},
    {"1.2", "recipient domain rejected"},
    {"1.3", "recipient address rejected"},
    {"1.6", "recipient has moved"},
    {"1.7", "sender rejected"},
    {"1.8", "sender domain rejected"},
    {"1", "address rejected"},
    {"2.2", "mailbox full"},
    {"2.3", "message too big for the mailbox"},
    {"2", "mailbox unavailable"},
    {"3.4", "message too big"},
    {"3.5", "system incorrectly configured"},
    {"3", "mail system unavailable"},
    {"4.1", "next hop did not answer"},
    {"4.2", "connection to the next hop broken"},
    {"4.6", "routing loop"},
    {"4.7", "delivery time expired"},
    {"4", "next hop unavailable"},
    {"5", "protocol error at the next hop"},
    {"6", "message content rejected"},
    {"7.5", "secure connection to the next hop failed"},
    {"7", "rejected by policy"},
};

std::string_view fixed_text(int code, std::string_view status) {
    const auto dot = status.find('.');
    const std::string_view rest = dot == std::string_view::npos ? "" : status.substr(dot + 1);
    if (code / 100 == 2) return rest == "1.5" ? "recipient ok" : rest == "1.0" ? "sender ok" : "Ok";
    const std::string_view subject = rest.substr(0, rest.find('.'));
    for (const auto& t : kTexts)
        if (t.subject_detail == rest || t.subject_detail == subject) return t.text;
    return code / 100 == 4 ? "temporary failure at the next hop" : "refused by the next hop";
}

}  // namespace

smtp::Reply for_client(const smtp::Reply& from_next_hop, bool owner) {
    if (owner) return from_next_hop;
    const int code = from_next_hop.code;
    std::string status = from_next_hop.status;
    if (status.empty() || status[0] != static_cast<char>('0' + code / 100))
        status = std::to_string(code / 100) + ".0.0";
    return {code, status, std::string(fixed_text(code, status))};
}

}  // namespace orou::smtpd
