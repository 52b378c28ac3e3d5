#include "route/router.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace orou::route {

namespace {

void normalize_all(std::vector<std::string>& list) {
    for (auto& d : list) {
        auto n = smtp::normalize_domain(d);
        if (!n) throw ConfigError("not a domain: " + d);
        d = *n;
    }
}

bool contains(const std::vector<std::string>& list, const std::string& d) {
    return std::find(list.begin(), list.end(), d) != list.end();
}

}  // namespace

const char* kind_name(Kind kind) {
    switch (kind) {
    case Kind::Local: return "local";
    case Kind::Forward: return "forward";
    case Kind::Relay: return "relay";
    }
    return "?";
}

void require_routes(Domains domains, Stages stages) {
    normalize_all(domains.delivery);
    normalize_all(domains.forward);
    for (const auto& d : domains.delivery)
        if (!stages.local)
            throw ConfigError("delivery domain " + d + " is routed nowhere: give " + stages.local_option);
    for (const auto& d : domains.forward)
        if (!stages.forward && !(stages.local && contains(domains.delivery, d)))
            throw ConfigError("forward domain " + d + " is routed nowhere: give " + stages.forward_option);
}

Router::Router(Domains domains) : domains_(std::move(domains)) {
    normalize_all(domains_.delivery);
    normalize_all(domains_.forward);
}

bool Router::own_domain(const std::string& domain) const {
    return contains(domains_.delivery, domain) || contains(domains_.forward, domain);
}

std::optional<Kind> Router::route(const smtp::Address& rcpt, bool authenticated) const {
    bool trick = rcpt.local.find_first_of("%!@") != std::string::npos;
    if (!trick || authenticated) {
        if (contains(domains_.delivery, rcpt.domain)) return Kind::Local;
        if (contains(domains_.forward, rcpt.domain)) return Kind::Forward;
    }
    if (authenticated) return Kind::Relay;
    return std::nullopt;
}

}  // namespace orou::route
