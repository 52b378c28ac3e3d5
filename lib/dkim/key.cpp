#include "dkim/key.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "tls/tls.hpp"

namespace orou::dkim {

namespace {

constexpr std::size_t kMaxKeyFile = 64u << 10;

using Bio = std::unique_ptr<BIO, tls::CFree<BIO_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, tls::CFree<EVP_PKEY_free>>;

[[noreturn]] void bad(const std::string& what) { throw ConfigError(what); }

bool is_label_text(std::string_view s) {
    if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
    return true;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string resolve(std::string_view file, std::string_view credentials_dir) {
    if (file.starts_with('/') || credentials_dir.empty()) return std::string(file);
    return std::string(credentials_dir) + "/" + std::string(file);
}

// The whole file, at most kMaxKeyFile bytes, into a Secret.
auth::Secret read_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) bad("unable to read the DKIM key " + path + ": " + std::strerror(errno));
    auth::Secret text = auth::Secret::with_size(kMaxKeyFile + 1);
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd.get(), text.bytes().data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) bad("unable to read the DKIM key " + path + ": " + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > kMaxKeyFile) bad("the DKIM key " + path + " is too big to be a key");
    text.truncate(got);
    return text;
}

Algorithm algorithm_of(const auth::Secret& pem, const std::string& path) {
    Bio bio(BIO_new_mem_buf(pem.view().data(), static_cast<int>(pem.size())));
    if (!bio) throw SysError("make an OpenSSL buffer", ENOMEM);
    Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) bad("the DKIM key " + path + " is not a PEM private key (unencrypted)");
    switch (EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_RSA:
        if (EVP_PKEY_bits(key.get()) < 1024) bad("the DKIM key " + path + " is an RSA key under 1024 bits");
        return Algorithm::RsaSha256;
    case EVP_PKEY_ED25519: return Algorithm::Ed25519Sha256;
    default: bad("the DKIM key " + path + " is neither RSA nor Ed25519");
    }
}

}  // namespace

std::string_view algorithm_name(Algorithm a) { return a == Algorithm::Ed25519Sha256 ? "ed25519-sha256" : "rsa-sha256"; }

Key load_key(std::string_view spec, std::string_view credentials_dir) {
    const auto first = spec.find(':');
    const auto second = first == std::string_view::npos ? first : spec.find(':', first + 1);
    if (second == std::string_view::npos || second + 1 == spec.size())
        bad("--key '" + std::string(spec) + "' is not DOMAIN:SELECTOR:KEYFILE");
    Key key;
    key.domain = lower(spec.substr(0, first));
    key.selector = std::string(spec.substr(first + 1, second - first - 1));
    if (!is_label_text(key.domain) || !is_label_text(key.selector))
        bad("--key '" + std::string(spec) + "': the domain or the selector is not a DNS name");
    key.file = resolve(spec.substr(second + 1), credentials_dir);
    key.pem = read_file(key.file);
    key.algorithm = algorithm_of(key.pem, key.file);
    return key;
}

std::vector<Key> load_keys(const std::vector<std::string>& specs, std::string_view credentials_dir) {
    std::vector<Key> keys;
    for (const auto& spec : specs) {
        Key key = load_key(spec, credentials_dir);
        for (const Key& k : keys)
            if (k.domain == key.domain && k.algorithm == key.algorithm)
                bad("two " + std::string(algorithm_name(key.algorithm)) + " keys for " + key.domain);
        keys.push_back(std::move(key));
    }
    return keys;
}

}  // namespace orou::dkim
