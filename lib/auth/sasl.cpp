#include "auth/sasl.hpp"

#include "auth/base64.hpp"

namespace orou::auth {

namespace {

bool acceptable_field(std::string_view field) {
    return !field.empty() && field.size() <= kMaxSaslField && field.find('\0') == std::string_view::npos;
}

}  // namespace

std::optional<PlainCredentials> decode_plain(std::string_view base64_text) {
    auto message = base64_decode_secret(base64_text);
    if (!message) return std::nullopt;
    std::string_view m = message->view();
    auto first = m.find('\0');
    if (first == std::string_view::npos) return std::nullopt;
    auto second = m.find('\0', first + 1);
    std::string_view authzid;
    std::size_t user_at = 0;
    if (second == std::string_view::npos) {
        second = first;  // the original program's "authcid NUL passwd"
    } else {
        authzid = m.substr(0, first);
        user_at = first + 1;
    }
    std::string_view user = m.substr(user_at, second - user_at);
    std::string_view password = m.substr(second + 1);
    if (authzid.size() > kMaxSaslField || !acceptable_field(user) || !acceptable_field(password)) return std::nullopt;
    return PlainCredentials{std::string(authzid), std::string(user), Secret(password)};
}

bool acts_as_itself(const PlainCredentials& creds) { return creds.authzid.empty() || creds.authzid == creds.user; }

std::optional<std::string> decode_login_user(std::string_view base64_text) {
    auto user = base64_decode(base64_text);
    if (!user || !acceptable_field(*user)) return std::nullopt;
    return user;
}

std::optional<Secret> decode_login_password(std::string_view base64_text) {
    auto password = base64_decode_secret(base64_text);
    if (!password || !acceptable_field(password->view())) return std::nullopt;
    return password;
}

}  // namespace orou::auth
