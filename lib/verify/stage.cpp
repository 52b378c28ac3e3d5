#include "verify/stage.hpp"

#include "base/error.hpp"
#include "verify/replies.hpp"

namespace orou::verify {

namespace {

std::string spf_summary(const Verdicts& v) {
    std::string s;
    for (const auto& r : v.spf) s += (s.empty() ? "" : ",") + r.property + ":" + r.result;
    return s.empty() ? "none" : s;
}

std::string dkim_summary(const Verdicts& v) {
    std::string s;
    for (const auto& r : v.dkim) s += (s.empty() ? "" : ",") + r.domain + ":" + r.result;
    return s.empty() ? "none" : s;
}

}  // namespace

// The filter core names each header field to the predicate, in order: the
// Authentication-Results fields are counted off against what the
// verifier found in each (its authserv-id may be on a continuation line).
std::function<bool(std::string_view)> forged_fields(std::vector<bool> forged) {
    return [forged = std::move(forged), seen = std::size_t{0}](std::string_view name) mutable {
        if (!is_auth_results_name(name)) return false;
        const bool drop = seen < forged.size() && forged[seen];
        ++seen;
        return drop;
    };
}

std::string header_block(const std::vector<std::string>& lines) {
    std::string block;
    for (const auto& l : lines) block.append(l).append("\r\n");
    return block;
}

filter::Verdict Stage::check(const filter::Envelope& envelope, const smtp::MessageSource& message) {
    try {
        if (!verifier_) verifier_ = std::make_unique<Verifier>(config_);
    } catch (const ConfigError& e) {
        log_.event(log::Level::Error, "verify", {{"msgid", envelope.msgid}, {"error", e.what()}});
        return {replies::verify_failed, "", {}};
    }
    const Outcome out = verifier_->check({envelope.client.addr, envelope.client.helo, envelope.sender}, message);
    log_.event(log::Level::Info, "verdicts",
               {{"msgid", envelope.msgid},
                {"client", envelope.client.addr},
                {"spf", spf_summary(out.verdicts)},
                {"dkim", dkim_summary(out.verdicts)},
                {"dmarc", out.verdicts.dmarc.result},
                {"from_domain", out.verdicts.dmarc.from_domain},
                {"result", out.refuse ? "refused" : "passed"}});
    if (out.refuse) return {replies::dmarc_reject, "", {}};
    return {std::nullopt, header_block(out.header), forged_fields(out.forged)};
}

}  // namespace orou::verify
