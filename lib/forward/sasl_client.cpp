#include "forward/sasl_client.hpp"

#include <fcntl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "auth/password_input.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"

namespace orou::forward {

auth::Secret encoded_line(std::string_view prefix, std::string_view bytes) {
    const std::size_t encoded = 4 * ((bytes.size() + 2) / 3);
    auth::Secret line = auth::Secret::with_size(prefix.size() + encoded + 3);  // + CRLF + EVP's NUL
    char* out = line.bytes().data();
    std::copy(prefix.begin(), prefix.end(), out);
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out + prefix.size()),
                    reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out[prefix.size() + encoded] = '\r';
    out[prefix.size() + encoded + 1] = '\n';
    line.truncate(prefix.size() + encoded + 2);
    return line;
}

auth::Secret plain_message(std::string_view user, const auth::Secret& password) {
    auth::Secret message = auth::Secret::with_size(user.size() + password.size() + 2);
    char* out = message.bytes().data();
    out[0] = '\0';
    std::copy(user.begin(), user.end(), out + 1);
    out[1 + user.size()] = '\0';
    std::copy(password.view().begin(), password.view().end(), out + 2 + user.size());
    return message;
}

auth::Secret read_password_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw ConfigError("cannot read the password file " + path + ": " + std::strerror(errno));
    try {
        return auth::read_password_line(fd.get());
    } catch (const ExitError& e) {
        throw ConfigError("password file " + path + ": " + e.what());
    }
}

std::string credential_path(std::string_view name, const char* credentials_directory) {
    if (!credentials_directory || !*credentials_directory)
        throw ConfigError("--auth-credential needs CREDENTIALS_DIRECTORY (systemd LoadCredential=)");
    if (name.empty() || name.find('/') != std::string_view::npos || name == "." || name == "..")
        throw ConfigError("bad credential name: " + std::string(name));
    return std::string(credentials_directory) + "/" + std::string(name);
}

}  // namespace orou::forward
