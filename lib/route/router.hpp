// The relay rule: which route a recipient takes, or none (relay denied).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtp/address.hpp"

namespace orou::route {

enum class Kind { Local, Forward, Relay };
const char* kind_name(Kind kind);

struct Domains {
    std::vector<std::string> delivery;  // local delivery, from anyone
    std::vector<std::string> forward;   // to the home server, from anyone
};

// Which routes a configuration has a stage for, and the options that
// would give one (named in the error).
struct Stages {
    bool local = false, forward = false;
    const char* local_option = "--deliver";
    const char* forward_option = "--forward";
};

// A domain that would be routed nowhere (a delivery domain with no local
// stage, a forward domain with neither) is a configuration error, found at
// start: throws ConfigError naming the domain and the option it needs.
void require_routes(Domains domains, Stages stages);

class Router {
public:
    explicit Router(Domains domains);  // normalises; throws ConfigError on a bad domain

    // 1. delivery domain -> Local; 2. forward domain -> Forward;
    // 3. authenticated -> Relay; 4. nullopt: relay denied.
    // Unauthenticated local parts with %, ! or @ (relay tricks) are denied.
    std::optional<Kind> route(const smtp::Address& rcpt, bool authenticated) const;

    bool own_domain(const std::string& domain) const;

private:
    Domains domains_;
};

}  // namespace orou::route
