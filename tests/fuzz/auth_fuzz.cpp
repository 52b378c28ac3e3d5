// The AUTH decoders on what a client sends after AUTH PLAIN / LOGIN:
// strict base64 or nothing, fields bounded, no NUL in a user name, and
// base64 round-trips; and the throttle's key of any client address text.
#include <cstdint>

#include "auth/base64.hpp"
#include "auth/sasl.hpp"
#include "auth/throttle.hpp"
#include "fuzz_input.hpp"

namespace {

using namespace orou;

void check_fields(std::string_view user, std::string_view password) {
    fuzz::require(!user.empty() && user.size() <= auth::kMaxSaslField, "a user name is 1 to 255 bytes");
    fuzz::require(!password.empty() && password.size() <= auth::kMaxSaslField, "a password is 1 to 255 bytes");
    fuzz::require(user.find('\0') == std::string_view::npos, "no NUL in a user name");
    fuzz::require(password.find('\0') == std::string_view::npos, "no NUL in a password");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = fuzz::as_text(data, size);
    if (auto plain = auth::decode_plain(text)) check_fields(plain->user, plain->password.view());
    auto user = auth::decode_login_user(text);
    auto password = auth::decode_login_password(text);
    if (user && password) check_fields(*user, password->view());
    auto decoded = auth::base64_decode(text);
    auto secret = auth::base64_decode_secret(text);
    fuzz::require(decoded.has_value() == secret.has_value(), "both decoders agree");
    if (decoded) {
        fuzz::require(decoded->size() == text.size() / 4 * 3 - (text.ends_with("==")  ? 2
                                                                : text.ends_with("=") ? 1
                                                                                      : 0),
                      "the decoded length is exact");
        fuzz::require(secret->view() == *decoded, "both decoders give the same bytes");
    }
    auto key = auth::throttle_key(text);  // a client address as the realm field brings it
    fuzz::require(key.size() <= 255 + 8 && key.empty() == text.empty(), "a throttle key is bounded");
    auto again = auth::base64_decode(auth::base64_encode(text));
    fuzz::require(again && *again == text, "base64 round-trips");
    return 0;
}
