// MAIL FROM's parameters, one parser for orouboros-smtpd and the LMTP
// stages: SIZE=n (RFC 1870), BODY=7BIT|8BITMIME (RFC 6152, the value in
// any case, as RFC 5321 has parameter values), AUTH=... (RFC 4954: the
// xtext-decoded login, kept for a stage to read; orouboros-smtpd never
// passes on what its client gave, see smtp/xforward.hpp), XLOOP=ID.ID...
// (ours, see below).
// Anything else is refused.
//
// XLOOP carries, from one orouboros-smtpd to the next, the instance ids of
// the smtpds a transaction has passed through (each 8 hex digits, joined
// by '.').  Recipients are passed on as they arrive (the next hop's own
// verdict at RCPT time), so a route that leads back to where it came from
// would open connections in a ring at RCPT time, long before any
// Received: header could be counted: an smtpd that finds its own id in the
// trail, or a trail as long as its hop limit, refuses the transaction with
// 554 5.4.6.  It is offered in EHLO and LHLO and passed on only to a next
// hop that offers it, so other servers never see it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace orou::smtp {

enum class MailParamError {
    None,
    Syntax,   // a known parameter with a malformed value
    TooBig,   // SIZE over the limit
    Unknown,  // a parameter we do not support
};

struct MailParams {
    std::size_t size = 0;  // SIZE=, 0 when not given
    bool eight_bit = false;
    bool body_given = false;
    std::vector<std::string> loop;  // XLOOP's ids, in order
    std::string auth;               // AUTH=, decoded; "" when absent, <> or malformed
    MailParamError error = MailParamError::None;

    // " BODY=8BITMIME" or " BODY=7BIT" as given, "" without BODY: what is
    // passed on to the next hop.
    std::string body_param() const;
    // "id.id": the XLOOP trail as given, "" without one.
    std::string loop_trail() const;
    // " XLOOP=id.id.own": the trail with `own` added, to pass on; "" when
    // both are empty.
    std::string loop_param(const std::string& own) const;
};

// "XLOOP": the EHLO and LHLO keyword.
inline constexpr const char* kLoopExtension = "XLOOP";

// `params` as smtp::parse_path gives them (upper-case keys).
MailParams parse_mail_params(const std::vector<std::pair<std::string, std::string>>& params, std::size_t max_message);

}  // namespace orou::smtp
