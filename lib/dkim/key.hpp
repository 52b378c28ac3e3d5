// A DKIM signing key, as `--key DOMAIN:SELECTOR:KEYFILE` names it: a PEM
// private key (what `opendkim-genkey` writes for RSA, what `openssl
// genpkey -algorithm ed25519` writes for Ed25519), read once at start.  A
// relative KEYFILE is the name of a systemd credential, looked up under
// $CREDENTIALS_DIRECTORY when that is set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/secret.hpp"

namespace orou::dkim {

enum class Algorithm { RsaSha256, Ed25519Sha256 };

struct Key {
    std::string domain;  // lower case
    std::string selector;
    Algorithm algorithm = Algorithm::RsaSha256;
    auth::Secret pem;  // the key file's text, wiped when dropped
    std::string file;  // where it was read, for messages
};

// "rsa-sha256" or "ed25519-sha256", as in the a= tag.
std::string_view algorithm_name(Algorithm a);

// Reads and checks one key.  Throws ConfigError, naming the file and what
// is wrong: a malformed spec, a file that does not read, a file that is
// not a PEM private key, a key that is neither RSA (1024 bits or more) nor
// Ed25519.  `credentials_dir` is $CREDENTIALS_DIRECTORY, "" when unset.
Key load_key(std::string_view spec, std::string_view credentials_dir);

// The keys of several specs; a domain may have one of each algorithm, not
// two of one.
std::vector<Key> load_keys(const std::vector<std::string>& specs, std::string_view credentials_dir);

}  // namespace orou::dkim
