// The client side of AUTH PLAIN (RFC 4616) and LOGIN, and where the
// password comes from.  The password and everything derived from it (the
// PLAIN message, its base64, the command line holding it) stay in
// auth::Secret, so they are wiped and never reach a log.
#pragma once

#include <string>
#include <string_view>

#include "auth/secret.hpp"

namespace orou::forward {

struct Credentials {
    std::string user;
    auth::Secret password;
};

// prefix + base64(bytes) + CRLF, built inside a Secret.
auth::Secret encoded_line(std::string_view prefix, std::string_view bytes);

// The PLAIN message without an authorization identity: NUL user NUL password.
auth::Secret plain_message(std::string_view user, const auth::Secret& password);

// The first line of a file (the newline, and a CR before it, dropped).
// Throws ConfigError when it cannot be read or is empty.
auth::Secret read_password_file(const std::string& path);

// The file of a systemd credential: $CREDENTIALS_DIRECTORY/NAME.  Throws
// ConfigError without CREDENTIALS_DIRECTORY or for a name with a slash.
std::string credential_path(std::string_view name, const char* credentials_directory);

}  // namespace orou::forward
