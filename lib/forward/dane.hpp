// DANE for SMTP (RFC 7672): when the names leading to an MX host were
// validated by DNSSEC and its TLSA records (_PORT._tcp.HOST) are secure,
// TLS is required and the certificate must match a usable record.
// DANE-TA(2) and DANE-EE(3) are usable; PKIX-TA(0) and PKIX-EE(1) are not
// (section 3.1.3).  Only TLSA records that are all unusable still require
// TLS, without authentication (section 2.2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "forward/resolver.hpp"
#include "tls/client.hpp"

namespace orou::forward {

enum class DaneStatus {
    None,          // no secure TLSA records: DANE does not apply
    Authenticate,  // usable records: TLS, and the certificate must match one
    EncryptOnly,   // secure records, none usable: TLS without authentication
    Failed,        // the lookup failed (bogus, SERVFAIL, timeout): do not use the host
};

struct Dane {
    DaneStatus status = DaneStatus::None;
    std::vector<tls::Tlsa> records;  // the usable ones
    std::string error;               // for Failed
};

// RFC 7672 section 3.1: usage DANE-TA(2) or DANE-EE(3), selector
// Cert(0) or SPKI(1), matching type Full(0), SHA2-256(1) or SHA2-512(2).
bool usable_tlsa(const tls::Tlsa& record);

// The DANE state of one host; `names_secure` says the MX and address
// answers that named it were secure (else TLSA is not looked up).
Dane dane_for_host(Resolver& resolver, std::string_view host, unsigned port, bool names_secure, io::Deadline deadline);

}  // namespace orou::forward
