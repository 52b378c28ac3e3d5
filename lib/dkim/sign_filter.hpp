// The filter of orouboros-dkim-sign (filter/filter.hpp): a message whose
// MAIL carried AUTH= (an authenticated submission, as orouboros-smtpd
// passes it on) and whose one From: address has a domain with a key gets
// the DKIM-Signature fields of that domain's keys on top.  Anything else
// passes unchanged.  A signature that libopendkim cannot make is 451
// 4.3.0 for every recipient, so that the sender tries again rather than
// sending unsigned mail that should be signed.
#pragma once

#include <optional>
#include <string>

#include "dkim/signer.hpp"
#include "filter/filter.hpp"
#include "log/log.hpp"

namespace orou::dkim {

// The domain (lower case) of the address in the message's From: field;
// nullopt when there is no From:, more than one, or no address with a
// domain in it.
std::optional<std::string> from_domain(const smtp::MessageSource& message);

class SignFilter final : public filter::Filter {
public:
    // Borrows both.
    SignFilter(const Signer& signer, log::Logger& log) : signer_(signer), log_(log) {}
    filter::Verdict check(const filter::Envelope& envelope, const smtp::MessageSource& message) override;

private:
    void log_result(const filter::Envelope& envelope, std::string_view domain, std::string_view result,
                    std::string_view error = "");

    const Signer& signer_;
    log::Logger& log_;
};

}  // namespace orou::dkim
