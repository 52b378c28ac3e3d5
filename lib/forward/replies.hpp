// Every reply orouboros-forward makes itself (RFC 2033 for its LMTP side,
// RFC 3463 enhanced codes).  The upstream's own replies pass through
// unreworded; these are for what no upstream said.  Nobody types a reply
// code anywhere else in lib/forward.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace orou::forward::replies {

using smtp::Reply;

inline std::string str(std::string_view s) { return std::string(s); }

// Beyond the replies every LMTP server makes (lmtp/replies.hpp).
inline const Reply other_domain{452, "4.5.3", "recipient of another domain, send it in a new transaction"};

// Finding the destination (RFC 5321 5.1, RFC 7505).
inline Reply null_mx(std::string_view domain) {
    return {556, "5.1.10", "domain " + str(domain) + " accepts no mail (null MX)"};
}
inline Reply no_such_domain(std::string_view domain) {
    return {550, "5.1.2", "domain " + str(domain) + " does not exist"};
}
inline Reply no_mail_host(std::string_view domain) {
    return {550, "5.1.2", "domain " + str(domain) + " has no mail exchanger and no address"};
}
inline Reply no_mx_address(std::string_view domain) {
    return {550, "5.4.4", "no mail exchanger of " + str(domain) + " has an address"};
}
inline Reply dns_temporary(std::string_view name, std::string_view why) {
    return {451, "4.4.3", "DNS lookup of " + str(name) + " failed: " + str(why)};
}

// Reaching the upstream: every failure before MAIL is temporary.
inline Reply unreachable(std::string_view where, std::string_view why) {
    return {451, "4.4.1", "cannot connect to " + str(where) + ": " + str(why)};
}
inline Reply no_greeting(std::string_view where) { return {451, "4.4.2", str(where) + " did not greet"}; }
inline Reply session_refused(std::string_view where, const Reply& r) {
    return {451, "4.4.2", str(where) + " refused the session: " + r.summary()};
}
inline Reply closing(std::string_view where, const Reply& r) {
    return {451, "4.4.2", str(where) + " is closing the session: " + r.summary()};
}
inline Reply lost(std::string_view where, std::string_view when) {
    return {451, "4.4.2", "connection to " + str(where) + " lost " + str(when)};
}
inline Reply timed_out(std::string_view where) { return {451, "4.4.2", str(where) + " did not answer in time"}; }
inline Reply protocol_error(std::string_view where, std::string_view command, const Reply& r) {
    return {451, "4.5.0", str(where) + " answered " + str(command) + " with " + r.summary()};
}
inline const Reply no_upstream{451, "4.3.0", "no upstream session for the message"};
inline const Reply delivery_timeout{451, "4.4.7", "delivery time limit reached"};
inline Reply no_starttls(std::string_view where) {
    return {451, "4.7.5", str(where) + " offers no STARTTLS, and TLS is required"};
}
inline Reply tls_failed(std::string_view where, std::string_view why) {
    return {451, "4.7.5", "TLS with " + str(where) + " failed: " + str(why)};
}
// TLS policies of MX hosts (RFC 7672 DANE, RFC 8461 MTA-STS).
inline Reply tlsa_failed(std::string_view host, std::string_view why) {
    return {451, "4.7.5", "TLSA lookup for " + str(host) + " failed: " + str(why)};
}
inline Reply mx_not_in_policy(std::string_view host) {
    return {451, "4.7.5", "MX host " + str(host) + " is not in the domain's MTA-STS policy"};
}
inline Reply plaintext_auth(std::string_view where) {
    return {451, "4.7.0", "refusing to send a password to " + str(where) + " without TLS"};
}
inline Reply no_auth_mechanism(std::string_view where) {
    return {451, "4.7.0", str(where) + " offers neither AUTH PLAIN nor AUTH LOGIN"};
}
inline Reply auth_failed(std::string_view where, const Reply& r) {
    return {454, "4.7.0", "authentication to " + str(where) + " failed: " + r.summary()};
}

}  // namespace orou::forward::replies
