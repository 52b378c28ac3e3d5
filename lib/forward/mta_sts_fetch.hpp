// MTA-STS policy discovery (RFC 8461 section 3 and 5): the _mta-sts TXT
// record through our resolver, the policy from
// https://mta-sts.DOMAIN/.well-known/mta-sts.txt through libcurl (the
// address from our resolver, handed to curl so that curl asks no other
// DNS; no redirects; bounded in time and to 64 KiB), and a cache directory
// holding each domain's policy for its max_age, reused while the id is
// unchanged, and while the TXT record or the server cannot be reached.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "forward/mta_sts.hpp"
#include "forward/resolver.hpp"

namespace orou::forward {

struct StsConfig {
    std::string ca_file;    // the CA file for the policy host; "" for the system store
    std::string cache_dir;  // "" for no cache
    unsigned port = 443;    // the policy host's HTTPS port
    std::chrono::seconds timeout{20};
};

struct StsLookup {
    std::optional<StsPolicy> policy;  // none: the domain has no (usable) policy
    std::string error;                // why not, or what went wrong on the way
};

// The policy of `domain` at time `now`.
StsLookup find_sts_policy(Resolver& resolver, const StsConfig& config, std::string_view domain, io::Deadline deadline,
                          std::time_t now);

// GET of the policy: its text, or nullopt with the reason in `error`.
std::optional<std::string> fetch_sts_policy(Resolver& resolver, const StsConfig& config, std::string_view domain,
                                            io::Deadline deadline, std::string& error);

}  // namespace orou::forward
