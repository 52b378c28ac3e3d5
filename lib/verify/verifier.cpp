#include "verify/verifier.hpp"

#include <arpa/inet.h>

#include "verify/headers.hpp"

namespace orou::verify {

namespace {

struct HeaderFacts {
    std::string from_domain;  // "" unless there is exactly one From field with one address
    std::vector<bool> forged;
};

HeaderFacts header_facts(const smtp::MessageSource& message, std::string_view authserv_id) {
    int froms = 0;
    HeaderFacts facts;
    for_each_field(message, [&](std::string_view field) {
        if (field_named(field, "Authentication-Results"))
            facts.forged.push_back(claims_authserv_id(field, authserv_id));
        if (!field_named(field, "From")) return;
        ++froms;
        facts.from_domain = from_domain(field);
    });
    if (froms != 1) facts.from_domain.clear();
    return facts;
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

std::string client_address(std::string addr) {
    if (addr.size() > 5 && equal_nocase(std::string_view(addr).substr(0, 5), "IPv6:")) addr.erase(0, 5);
    unsigned char buf[sizeof(in6_addr)];
    const int family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    return ::inet_pton(family, addr.c_str(), buf) == 1 ? addr : "";
}

Verifier::Verifier(const Config& config)
    : config_(config), dns_(config.dns_server, config.lookup_timeout), spf_(dns_), dkim_(dns_), dmarc_(dns_) {}

std::vector<SpfVerdict> Verifier::check_spf(const Client& client) {
    std::vector<SpfVerdict> out;
    if (client.addr.empty()) return out;  // not known: no SPF verdict
    if (!client.sender.empty())
        out.push_back({spf_.check(client.addr, client.helo, client.sender), "mailfrom", client.sender});
    if (!client.helo.empty() && client.helo.front() != '[')
        out.push_back({spf_.check(client.addr, client.helo, ""), "helo", client.helo});
    return out;
}

Outcome Verifier::check(const Client& given, const smtp::MessageSource& message) {
    dns_.start_message();
    Client client = given;
    client.addr = client_address(client.addr);
    Outcome out;
    out.verdicts.spf = check_spf(client);
    out.verdicts.dkim = dkim_.check(message);
    HeaderFacts facts = header_facts(message, config_.authserv_id);
    out.verdicts.dmarc = dmarc_.check(client.addr, facts.from_domain, dmarc_spf(out.verdicts.spf), out.verdicts.dkim);
    out.forged = std::move(facts.forged);
    out.header = format_header(config_.authserv_id, out.verdicts);
    out.refuse = config_.dmarc_reject && out.verdicts.dmarc.disposition == "reject";
    return out;
}

}  // namespace orou::verify
