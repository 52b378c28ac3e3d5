#include "verify/verifier.hpp"

#include "verify/headers.hpp"

namespace orou::verify {

namespace {

// The From domain: "" unless the message has exactly one From field with
// one address.
std::string message_from_domain(const smtp::MessageSource& message) {
    int froms = 0;
    std::string domain;
    for_each_field(message, [&](std::string_view field) {
        if (!field_named(field, "From")) return;
        ++froms;
        domain = from_domain(field);
    });
    return froms == 1 ? domain : "";
}

// The identity DMARC weighs: MAIL FROM's, or HELO's for the null sender.
SpfVerdict dmarc_spf(const std::vector<SpfVerdict>& spf) {
    for (const auto& s : spf)
        if (s.property == "mailfrom") return s;
    for (const auto& s : spf)
        if (s.property == "helo") return s;
    return {"none", "mailfrom", ""};
}

}  // namespace

Verifier::Verifier(const Config& config)
    : config_(config),
      dns_(config.dns_server, config.lookup_timeout),
      spf_(dns_),
      dkim_(dns_),
      dmarc_(dns_, config.public_suffix_list) {}

std::vector<SpfVerdict> Verifier::check_spf(const Client& client) {
    std::vector<SpfVerdict> out;
    if (client.addr.empty()) return out;
    if (!client.sender.empty())
        out.push_back({spf_.check(client.addr, client.helo, client.sender), "mailfrom", client.sender});
    if (!client.helo.empty() && client.helo.front() != '[')
        out.push_back({spf_.check(client.addr, client.helo, ""), "helo", client.helo});
    return out;
}

Outcome Verifier::check(const Client& client, const smtp::MessageSource& message) {
    dns_.start_message();
    Outcome out;
    out.verdicts.spf = check_spf(client);
    out.verdicts.dkim = dkim_.check(message);
    out.verdicts.dmarc =
        dmarc_.check(client.addr, message_from_domain(message), dmarc_spf(out.verdicts.spf), out.verdicts.dkim);
    out.header = format_header(config_.authserv_id, out.verdicts);
    out.refuse = config_.dmarc_reject && out.verdicts.dmarc.disposition == "reject";
    return out;
}

bool Verifier::forged(std::string_view field) const { return claims_authserv_id(field, config_.authserv_id); }

}  // namespace orou::verify
