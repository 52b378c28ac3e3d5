// The log lines of orouboros-forward, one function per event, key=value.
// The password never reaches them: they take only names, addresses and
// replies (an upstream's reply to AUTH is a status, never the secret).
#pragma once

#include <string_view>

#include "forward/mta_sts_fetch.hpp"
#include "forward/upstream.hpp"
#include "log/log.hpp"
#include "smtp/reply.hpp"

namespace orou::forward {

// One line per connection attempt: host, address, port, TLS version and
// cipher, and the reply that ended it (or MAIL's).
void log_attempt(log::Logger& log, const PeerInfo& peer, const smtp::Reply& reply);

// One line per delivery to a domain: the TLS policy its host was held to
// (dane, mta-sts, none), its mode, whether it held, and the reply.
void log_policy(log::Logger& log, std::string_view domain, const PeerInfo& peer, const smtp::Reply& reply);

// The domain's MTA-STS policy could not be found or kept (the TXT record,
// the HTTPS fetch, the policy's grammar, the cache).
void log_sts_lookup(log::Logger& log, std::string_view domain, const StsLookup& sts);

// No host to try for a domain (null MX, NXDOMAIN, DNS failure).
void log_no_route(log::Logger& log, std::string_view domain, const smtp::Reply& reply);

// A recipient's verdict at RCPT time.
void log_rcpt(log::Logger& log, std::string_view msgid, std::string_view sender, std::string_view rcpt,
              const smtp::Reply& reply);

// A recipient's result after DATA; peer is null when no upstream was reached.
void log_delivery(log::Logger& log, std::string_view msgid, std::string_view sender, std::string_view rcpt,
                  const PeerInfo* peer, const smtp::Reply& reply);

}  // namespace orou::forward
