// orouboros-verify as a filter stage (filter/filter.hpp): each message
// checked by a Verifier, its Authentication-Results field put on top,
// incoming fields that claim our authserv-id left out, and with
// --dmarc-reject a DMARC failure under p=reject refused with 550 5.7.1.
#pragma once

#include <memory>
#include <optional>

#include "filter/filter.hpp"
#include "log/log.hpp"
#include "verify/verifier.hpp"

namespace orou::verify {

class Stage final : public filter::Filter {
public:
    // Borrows both.  The Verifier is made at the first message, in the
    // session's own process.
    Stage(const Config& config, log::Logger& log) : config_(config), log_(log) {}

    filter::Verdict check(const filter::Envelope& envelope, const smtp::MessageSource& message) override;

private:
    const Config& config_;
    log::Logger& log_;
    std::unique_ptr<Verifier> verifier_;
};

// The `drop` of a filter::Verdict for a message whose
// Authentication-Results fields, in order, are or are not `forged`.
std::function<bool(std::string_view)> forged_fields(std::vector<bool> forged);

// The Authentication-Results lines as one CRLF-ended block.
std::string header_block(const std::vector<std::string>& lines);

}  // namespace orou::verify
