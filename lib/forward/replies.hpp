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

// The LMTP side.
inline Reply greeting(std::string_view host) { return {220, "", str(host) + " LMTP orouboros-forward"}; }
inline Reply lhlo(std::string_view host, std::size_t max_message) {
    return {250, "", str(host) + "\nPIPELINING\nENHANCEDSTATUSCODES\n8BITMIME\nSIZE " + std::to_string(max_message)};
}
inline const Reply ok{250, "2.0.0", "ok"};
inline const Reply sender_ok{250, "2.1.0", "sender ok"};
inline const Reply start_data{354, "", "end data with <CR><LF>.<CR><LF>"};
inline const Reply bye{221, "2.0.0", "bye"};
inline const Reply other_domain{452, "4.5.3", "recipient of another domain, send it in a new transaction"};
inline const Reply too_many_rcpts{452, "4.5.3", "too many recipients"};
inline const Reply message_too_big{552, "5.3.4", "message too big"};
inline const Reply size_exceeded{552, "5.3.4", "message size exceeds the fixed limit"};
inline const Reply bare_cr_or_lf{554, "5.6.0", "bare CR or LF in the message (RFC 5321 2.3.8)"};
inline const Reply nul_in_message{554, "5.6.0", "NUL byte in the message"};
inline const Reply data_line_too_long{554, "5.6.0", "line too long in the message"};
inline const Reply need_lhlo{503, "5.5.1", "send LHLO first"};
inline const Reply nested_mail{503, "5.5.1", "sender already given"};
inline const Reply need_mail{503, "5.5.1", "send MAIL first"};
inline const Reply need_rcpt{503, "5.5.1", "no valid recipients"};
inline const Reply unknown_command{500, "5.5.1", "command not recognized"};
inline const Reply line_too_long{500, "5.5.2", "line too long"};
inline const Reply bad_line{500, "5.5.2", "bare CR or LF, or NUL, in a command"};
inline const Reply syntax_error{501, "5.5.4", "syntax error in parameters"};
inline const Reply bad_sender{501, "5.1.7", "bad sender address syntax"};
inline const Reply bad_rcpt{501, "5.1.3", "bad recipient address syntax"};
inline const Reply bad_param{555, "5.5.4", "parameter not recognized"};
inline const Reply timeout{421, "4.4.2", "timeout, closing"};
inline const Reply too_many_errors{421, "4.7.0", "too many errors, closing"};
inline const Reply local_error{421, "4.3.0", "local error, closing"};

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
inline const Reply delivery_timeout{451, "4.4.7", "delivery time limit reached"};
inline Reply no_starttls(std::string_view where) {
    return {451, "4.7.5", str(where) + " offers no STARTTLS, and TLS is required"};
}
inline Reply tls_failed(std::string_view where, std::string_view why) {
    return {451, "4.7.5", "TLS with " + str(where) + " failed: " + str(why)};
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
