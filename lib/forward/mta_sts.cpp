#include "forward/mta_sts.hpp"

#include <algorithm>
#include <cctype>

namespace orou::forward {

namespace {

constexpr std::size_t kMaxIdLength = 32;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool all_of(std::string_view s, int (*pred)(int)) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
}

// The id of one record, or nullopt: "v=STSv1; id=ID[; ext=value]...".
std::optional<std::string> record_id(std::string_view text) {
    std::optional<std::string> id;
    bool first = true;
    while (!text.empty()) {
        const std::size_t semi = text.find(';');
        const std::string_view field = trim(text.substr(0, semi));
        text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
        if (field.empty() && text.empty() && !first) break;
        const std::size_t eq = field.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
        if (first != (key == "v")) return std::nullopt;
        if (first && value != "STSv1") return std::nullopt;
        if (key == "id") {
            if (id || value.size() > kMaxIdLength || !all_of(value, std::isalnum)) return std::nullopt;
            id = std::string(value);
        }
        first = false;
    }
    return id;
}

// One "key: value" line into the policy; false when it is malformed.
bool add_field(StsPolicy& policy, std::string_view line, bool& version, bool& mode, bool& age) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view key = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (key.empty() || value.empty()) return false;
    if (key == "version") return (version = value == "STSv1");
    if (key == "mode") {
        mode = true;
        if (value == "enforce") policy.mode = StsMode::Enforce;
        else if (value == "testing") policy.mode = StsMode::Testing;
        else if (value == "none") policy.mode = StsMode::None;
        else return false;
        return true;
    }
    if (key == "max_age") {
        if (value.size() > 10 || !all_of(value, std::isdigit)) return false;
        policy.max_age = std::min(std::stol(std::string(value)), kMaxPolicyAge);
        return (age = true);
    }
    if (key == "mx") {
        if (policy.mx.size() >= kMaxPolicyMx) return false;
        policy.mx.push_back(lower(value));
    }
    return true;  // another field: ignored (section 3.2)
}

}  // namespace

std::optional<std::string> sts_record_id(const std::vector<std::string>& texts) {
    std::optional<std::string> found;
    int count = 0;
    for (const auto& t : texts) {
        if (t.rfind("v=STSv1", 0) != 0) continue;
        ++count;
        found = record_id(t);
    }
    if (count != 1) return std::nullopt;
    return found;
}

std::optional<StsPolicy> parse_sts_policy(std::string_view text) {
    if (text.size() > kMaxPolicySize) return std::nullopt;
    StsPolicy policy;
    bool version = false, mode = false, age = false;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty()) continue;
        if (!add_field(policy, line, version, mode, age)) return std::nullopt;
    }
    if (!version || !mode || !age) return std::nullopt;
    if (policy.mode != StsMode::None && policy.mx.empty()) return std::nullopt;
    return policy;
}

bool mx_pattern_match(std::string_view pattern, std::string_view host) {
    const std::string p = lower(pattern), h = lower(host);
    if (p.rfind("*.", 0) != 0) return p == h;
    const std::size_t dot = h.find('.');
    if (dot == 0 || dot == std::string::npos) return false;
    return h.substr(dot) == p.substr(1);
}

bool policy_allows_mx(const StsPolicy& policy, std::string_view host) {
    return std::any_of(policy.mx.begin(), policy.mx.end(),
                       [&](const std::string& pattern) { return mx_pattern_match(pattern, host); });
}

const char* sts_mode_name(StsMode mode) {
    switch (mode) {
    case StsMode::Enforce: return "enforce";
    case StsMode::Testing: return "testing";
    case StsMode::None: break;
    }
    return "none";
}

}  // namespace orou::forward
