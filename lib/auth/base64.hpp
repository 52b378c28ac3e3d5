// Base64 (RFC 4648, standard alphabet, padded) through OpenSSL's
// EVP_EncodeBlock/EVP_DecodeBlock.  Decoding is strict: no whitespace, no
// characters outside the alphabet, a length that is a multiple of 4, and at
// most two '=' only at the end.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/secret.hpp"

namespace orou::auth {

std::string base64_encode(std::string_view bytes);

// The decoded bytes (exactly, '=' padding accounted for); nullopt when the
// text is not strict base64.  "" decodes to "".
std::optional<std::string> base64_decode(std::string_view text);

// The same, straight into a Secret (for passwords): no plain copy is left.
std::optional<Secret> base64_decode_secret(std::string_view text);

}  // namespace orou::auth
