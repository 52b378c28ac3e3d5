// The TLS policy for one MX host: DANE when its TLSA records are secure
// (RFC 7672), else the recipient domain's MTA-STS policy (RFC 8461; DANE
// wins, section 2), else none (opportunistic TLS, or --require-tls).
#pragma once

#include <optional>
#include <string_view>

#include "forward/mta_sts_fetch.hpp"
#include "forward/resolver.hpp"
#include "forward/upstream.hpp"
#include "smtp/reply.hpp"
#include "tls/client.hpp"

namespace orou::forward {

struct HostTls {
    PolicyOutcome outcome;                  // which policy, for the log
    bool required = false;                  // TLS, or nothing to this host
    std::optional<tls::ClientCheck> check;  // the handshake's check; none: as the ClientPolicy says
    std::optional<smtp::Reply> refusal;     // the host may not be used at all
};

// `names_secure`: the MX and address answers naming `host` were secure.
HostTls host_tls(Resolver& resolver, bool dane, std::string_view host, unsigned port, bool names_secure,
                 const StsLookup& sts, io::Deadline deadline);

}  // namespace orou::forward
