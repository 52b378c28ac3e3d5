// MAIL FROM's parameters, one parser for orouboros-smtpd and the LMTP
// stages: SIZE=n (RFC 1870), BODY=7BIT|8BITMIME (RFC 6152, the value in
// any case, as RFC 5321 has parameter values), AUTH=... (RFC 4954,
// accepted and not passed on).  Anything else is refused.
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
    MailParamError error = MailParamError::None;

    // " BODY=8BITMIME" or " BODY=7BIT" as given, "" without BODY: what is
    // passed on to the next hop.
    std::string body_param() const;
};

// `params` as smtp::parse_path gives them (upper-case keys).
MailParams parse_mail_params(const std::vector<std::pair<std::string, std::string>>& params, std::size_t max_message);

}  // namespace orou::smtp
