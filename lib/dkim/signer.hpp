// DKIM signatures (RFC 6376; Ed25519 by RFC 8463) made by libopendkim:
// relaxed/relaxed canonicalization, SHA-256, the whole body; the header
// fields signed are those of kSignedFields that the message has, From
// once more than it has (oversigned, so no From can be added after).
#pragma once

#include "dkim/opendkim.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/key.hpp"
#include "smtp/message.hpp"
#include "tls/tls.hpp"

namespace orou::dkim {

inline constexpr const char* kSignedFields[] = {
    "From",     "To",          "Cc",         "Subject",      "Date",         "Message-ID",
    "Reply-To", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};

class Signer {
public:
    // Takes the keys.  Throws ConfigError when libopendkim cannot start,
    // or has no Ed25519 and a key needs it.
    explicit Signer(std::vector<Key> keys);

    // Whether a key is configured for `domain` (lower case).
    bool signs_for(std::string_view domain) const;

    struct Result {
        std::string fields;  // "DKIM-Signature: ..." CRLF-ended, one per key; "" on failure
        std::string error;   // libopendkim's reason when it failed
    };
    // The signatures of `message` by every key of `domain`, Ed25519's
    // first (a verifier that knows only RSA skips it).  `id` names the
    // message in libopendkim's messages.
    Result sign(std::string_view domain, const smtp::MessageSource& message, const std::string& id) const;

private:
    Result sign_one(const Key& key, const smtp::MessageSource& message, const std::string& id) const;

    using Lib = std::unique_ptr<DKIM_LIB, tls::CFree<dkim_close>>;
    std::vector<Key> keys_;
    Lib lib_;
};

}  // namespace orou::dkim
