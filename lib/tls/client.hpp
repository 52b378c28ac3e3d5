// The client side of TLS: a context that trusts the system store or one
// CA file, and what a client handshake checks (TlsStream::connect): the
// certificate chain and the name, a pinned SHA-256 fingerprint, or nothing
// (opportunistic encryption, as towards MX hosts without DANE or MTA-STS),
// or the TLSA records of a host (DANE, RFC 7672, through OpenSSL's DANE API).
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/tls.hpp"

namespace orou::tls {

using X509Ptr = std::unique_ptr<X509, CFree<X509_free>>;

enum class Verify {
    None,         // encrypt only: any certificate
    Chain,        // a chain to a trusted CA, and the name in the certificate
    Fingerprint,  // the certificate's SHA-256 digest is the pinned one; no chain check
    Dane,         // matches one of the TLSA records (DANE-TA(2) or DANE-EE(3))
};

// One TLSA record (RFC 6698): usage, selector, matching type, and the
// certificate association data (binary).
struct Tlsa {
    unsigned usage = 0, selector = 0, mtype = 0;
    std::string data;
};

struct ClientCheck {
    Verify verify = Verify::Chain;
    std::string name;             // sent as SNI (unless an IP address); checked for Chain and DANE-TA
    std::string fingerprint;      // 64 lower-case hex digits, for Fingerprint
    std::vector<Tlsa> tlsa = {};  // for Dane: the usable records
    bool report_only = false;     // for Chain: a failure goes to error(), the handshake goes on (MTA-STS testing)
};

// A client context, TLS 1.2 at least.  For Verify::Chain it trusts
// ca_file ("": the system store); the other checks need no trust store,
// and loading the system's costs some 25 ms.  Throws ConfigError when
// the CA file does not load.  With `dane`, the context can also check
// TLSA records (SSL_CTX_dane_enable).
SslCtx make_client_ctx(Verify verify, const std::string& ca_file, bool dane = false);

// "AB:CD:..." (as openssl x509 -fingerprint -sha256 prints it) or plain
// hex, any case -> 64 lower-case hex digits; nullopt when not a SHA-256.
std::optional<std::string> parse_fingerprint(std::string_view text);

// The SHA-256 digest of a certificate (DER), as 64 lower-case hex digits.
std::string fingerprint_of(X509* cert);

}  // namespace orou::tls
