// SMTP command splitting and the MAIL/RCPT path parser, with the relay
// rule on top: whatever a client types after RCPT TO:, an unauthenticated
// recipient is routed only to an own domain, never with a %, ! or @ trick
// in its local part; and a parsed address parses again to itself.
#include <cstdint>

#include "fuzz_input.hpp"
#include "route/router.hpp"
#include "smtp/address.hpp"

namespace {

using namespace orou;

const route::Router& router() {
    static const route::Router r(route::Domains{{"example.com"}, {"home.example"}});
    return r;
}

void check_reparse(const smtp::Address& a) {
    if (a.null()) return;
    auto again = smtp::parse_path("TO:<" + a.str() + ">", "TO", false);
    fuzz::require(again.path.has_value(), "a parsed address parses again");
    fuzz::require(again.path->address.local == a.local && again.path->address.domain == a.domain,
                  "a parsed address parses again to itself");
}

void check_relay_rule(const smtp::Address& to) {
    auto kind = router().route(to, false);
    if (!kind) return;
    fuzz::require(router().own_domain(to.domain), "unauthenticated mail goes only to an own domain");
    fuzz::require(to.local.find_first_of("%!@") == std::string::npos, "no relay trick is routed");
    fuzz::require(*kind != route::Kind::Relay, "unauthenticated mail never takes the relay route");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view line = fuzz::as_text(data, size);
    auto [verb, arg] = smtp::split_command(line);
    fuzz::require(verb.find(' ') == std::string::npos, "the verb holds no blank");
    for (std::string_view keyword : {"FROM", "TO"}) {
        auto parsed = smtp::parse_path(arg, keyword, keyword == "FROM");
        fuzz::require(parsed.path.has_value() == (parsed.error == smtp::PathError::None),
                      "a path or an error, never both");
        if (!parsed.path) continue;
        const auto& address = parsed.path->address;
        fuzz::require(address.local.size() <= 64 && address.domain.size() <= 255, "parts are bounded");
        check_reparse(address);
        if (keyword == "TO") check_relay_rule(address);
    }
    if (auto domain = smtp::normalize_domain(line)) {
        fuzz::require(smtp::normalize_domain(*domain) == domain, "normalising a domain is idempotent");
    }
    return 0;
}
