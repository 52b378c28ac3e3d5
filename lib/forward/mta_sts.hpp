// MTA-STS (RFC 8461), the parts without I/O: the _mta-sts TXT record, the
// policy file's grammar (section 3.2, bounded), and the match of an MX host
// against the policy's mx patterns (section 4.1).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orou::forward {

inline constexpr std::size_t kMaxPolicySize = 64 * 1024;  // section 3.3
inline constexpr std::size_t kMaxPolicyMx = 100;
inline constexpr long kMaxPolicyAge = 31557600;  // section 3.2: about a year

enum class StsMode { None, Testing, Enforce };

struct StsPolicy {
    StsMode mode = StsMode::None;
    long max_age = 0;             // seconds
    std::vector<std::string> mx;  // patterns, lower case: "mx.example.com", "*.example.com"
};

// The id of the one "v=STSv1; id=...;" record among `texts` (the TXT
// records of _mta-sts.DOMAIN); nullopt when there is none, more than one,
// or it is malformed (section 3.1).
std::optional<std::string> sts_record_id(const std::vector<std::string>& texts);

// The policy in `text`; nullopt when it breaks the grammar, lacks
// version, mode or max_age, has no mx in testing or enforce mode, or is
// larger than kMaxPolicySize.
std::optional<StsPolicy> parse_sts_policy(std::string_view text);

// Whether `host` (lower case, no trailing dot) matches `pattern`: equal,
// or "*.REST" with exactly one label before REST.
bool mx_pattern_match(std::string_view pattern, std::string_view host);

// Whether any of the policy's patterns matches `host`.
bool policy_allows_mx(const StsPolicy& policy, std::string_view host);

const char* sts_mode_name(StsMode mode);

}  // namespace orou::forward
