// The SASL mechanisms smtpd offers: PLAIN (RFC 4616) and LOGIN (the
// draft-murchison-sasl-login exchange).  Each takes the client's base64
// text as it came and gives the decoded fields, or nullopt when it is not
// acceptable: bad base64, no NUL or an extra one, an empty user or
// password, or a field over kMaxSaslField bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/secret.hpp"

namespace orou::auth {

inline constexpr std::size_t kMaxSaslField = 255;  // RFC 4616: up to 255 octets each

struct PlainCredentials {
    std::string authzid;  // empty when the client sent none
    std::string user;     // the authentication identity (authcid)
    Secret password;
};

// base64(authzid NUL authcid NUL passwd), or, as the original program
// took it, base64(authcid NUL passwd) (one NUL: no authzid).
std::optional<PlainCredentials> decode_plain(std::string_view base64_text);

// A user may act only as itself: true when the client asked for no
// authorization identity, or for the one it authenticates as.  Anything
// else ("log in as me, act as root@…") is for the caller to refuse.
bool acts_as_itself(const PlainCredentials& creds);

// The server's LOGIN challenges: base64 of "Username:" and "Password:".
inline constexpr std::string_view kLoginUserPrompt = "VXNlcm5hbWU6";
inline constexpr std::string_view kLoginPasswordPrompt = "UGFzc3dvcmQ6";

// The client's answers to those challenges.
std::optional<std::string> decode_login_user(std::string_view base64_text);
std::optional<Secret> decode_login_password(std::string_view base64_text);

}  // namespace orou::auth
