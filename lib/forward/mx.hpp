// Where mail for a domain goes (RFC 5321 section 5.1, RFC 7505): its MX
// hosts in preference order (random among equal preferences), the domain
// itself when it has no MX, nowhere for a null MX; then each host's
// addresses.  Pure logic over a Resolver, so tests use a fake.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "forward/resolver.hpp"
#include "smtp/reply.hpp"

namespace orou::forward {

inline constexpr std::size_t kMaxMailHosts = 10;

struct MailHosts {
    std::vector<std::string> hosts;      // best first, at most kMaxMailHosts
    bool implicit = false;               // no MX: the domain is its own mail host
    std::optional<smtp::Reply> refusal;  // why there is no host to try
    bool secure = false;                 // DNSSEC validated the MX answer (DANE may apply)
};

// The hosts to try for `domain` (lower case; an address literal such as
// "[192.0.2.1]" is its own host).
MailHosts mail_hosts(Resolver& resolver, std::string_view domain, io::Deadline deadline, std::mt19937& random);

// MX records ordered by preference, shuffled among equal ones; a null MX
// record ("") is dropped when real ones stand beside it.
std::vector<std::string> order_mx(std::vector<MxRecord> records, std::mt19937& random);

// The IP address a host name is, when it is one ("192.0.2.1", "::1",
// "[192.0.2.1]", "[IPv6:::1]").
std::optional<std::string> ip_literal(std::string_view host);

// The addresses of one host: an IP literal is its own.
AddressAnswer host_addresses(Resolver& resolver, std::string_view host, io::Deadline deadline);

}  // namespace orou::forward
