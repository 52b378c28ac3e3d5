// SPF (RFC 7208) through libspf2, its DNS lookups through verify::Dns.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "verify/dns.hpp"

struct SPF_server_struct;
struct SPF_dns_server_struct;

namespace orou::verify {

class Spf {
public:
    // Borrows `dns` for the lifetime of the checker.  Throws ConfigError.
    explicit Spf(Dns& dns);
    ~Spf();
    Spf(const Spf&) = delete;
    Spf& operator=(const Spf&) = delete;

    // The result for `client` (an IPv4 or IPv6 address as text) sending
    // as `domain` ("helo" when `sender` is empty: the HELO identity, with
    // postmaster@helo as its sender, RFC 7208 2.3): pass fail softfail
    // neutral none temperror permerror.  A loopback client is checked as
    // any other (libspf2's own free pass for it is not taken).
    [[nodiscard]] std::string check(std::string_view client, std::string_view helo, std::string_view sender);

private:
    std::unique_ptr<SPF_dns_server_struct> layer_;
    SPF_server_struct* server_ = nullptr;
};

}  // namespace orou::verify
