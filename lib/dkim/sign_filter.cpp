#include "dkim/sign_filter.hpp"

#include <cctype>

#include "smtp/reply.hpp"

namespace orou::dkim {

namespace {

constexpr std::size_t kMaxFrom = 4096;
const smtp::Reply kCannotSign{451, "4.3.0", "cannot sign the message, try again later"};

bool is_from(std::string_view line) {
    constexpr std::string_view kName = "from";
    if (line.size() <= kName.size()) return false;
    for (std::size_t i = 0; i < kName.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) return false;
    const auto rest = line.substr(kName.size()).find_first_not_of(" \t");
    return rest != std::string_view::npos && line[kName.size() + rest] == ':';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The domain of the one address in an unfolded From: value: inside <>
// when there are angle brackets, else the value itself.
std::optional<std::string> domain_of(std::string_view value) {
    if (const auto open = value.rfind('<'); open != std::string_view::npos) {
        const auto close = value.find('>', open);
        if (close == std::string_view::npos) return std::nullopt;
        value = value.substr(open + 1, close - open - 1);
    }
    const auto at = value.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view domain = value.substr(at + 1);
    const auto end = domain.find_first_of(" \t>,;()");
    domain = domain.substr(0, end);
    if (domain.empty()) return std::nullopt;
    return lower(domain);
}

}  // namespace

std::optional<std::string> from_domain(const smtp::MessageSource& message) {
    std::string value;  // the From: field's value, unfolded
    int froms = 0;
    bool in_header = true, in_from = false;
    message.lines([&](std::string_view line) {
        if (!in_header) return;
        if (line.empty()) in_header = false;
        const bool continued = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (!continued) in_from = in_header && is_from(line);
        if (!in_from || value.size() + line.size() > kMaxFrom) return;
        if (!continued) {
            ++froms;
            line.remove_prefix(line.find(':') + 1);
        }
        value.append(line);
    });
    if (froms != 1) return std::nullopt;
    return domain_of(value);
}

filter::Verdict SignFilter::check(const filter::Envelope& envelope, const smtp::MessageSource& message) {
    if (envelope.auth.empty()) return {};
    const auto domain = from_domain(message);
    if (!domain || !signer_.signs_for(*domain)) {
        log_result(envelope, domain.value_or(""), "unsigned");
        return {};
    }
    Signer::Result signed_ = signer_.sign(*domain, message, envelope.msgid);
    if (!signed_.error.empty()) {
        log_result(envelope, *domain, "failed", signed_.error);
        return {kCannotSign, "", {}};
    }
    log_result(envelope, *domain, "signed");
    return {std::nullopt, std::move(signed_.fields), {}};
}

void SignFilter::log_result(const filter::Envelope& envelope, std::string_view domain, std::string_view result,
                            std::string_view error) {
    if (error.empty())
        log_.event(log::Level::Info, "dkim", {{"msgid", envelope.msgid}, {"domain", domain}, {"result", result}});
    else
        log_.event(log::Level::Error, "dkim",
                   {{"msgid", envelope.msgid}, {"domain", domain}, {"result", result}, {"error", error}});
}

}  // namespace orou::dkim
