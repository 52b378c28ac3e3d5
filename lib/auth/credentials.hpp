// The credentials file of the original program: a JSON object
//   {"work_factor": 100000,                        (optional, top level)
//    "USER": {"salt": BASE64, "hash": BASE64}, ...}
// hash = PBKDF2-HMAC-SHA256(password, salt, work_factor, length of hash).
// A user may also have "senders": ["alice@example.org", "@example.net"],
// the envelope senders mapped to them (auth/senders.hpp); the original
// program ignores that key, and a file without it reads as before.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/secret.hpp"

namespace orou::auth {

inline constexpr long kDefaultWorkFactor = 100000;
inline constexpr std::string_view kWorkFactorKey = "work_factor";
inline constexpr std::size_t kMaxUserName = 255;
inline constexpr std::size_t kSaltBytes = 16;
inline constexpr std::size_t kHashBytes = 32;  // SHA-256
inline constexpr std::size_t kMaxCredentialsFile = 16u << 20;

// Not empty, at most kMaxUserName bytes, no NUL or other control byte, and
// not the reserved key "work_factor".
bool valid_user_name(std::string_view user);

class CredentialStore {
public:
    CredentialStore() = default;  // no users, the default work factor

    // Throws ConfigError naming the file and what is wrong with it.
    static CredentialStore load(const std::string& path);
    static CredentialStore parse(std::string_view json_text, const std::string& origin);

    // Constant time in the stored hash; an unknown user costs one PBKDF2
    // with a dummy salt, like a known one.
    [[nodiscard]] bool verify(std::string_view user, const Secret& password) const;
    // Adds or replaces user with a new random salt; throws ExitError
    // (EX_DATAERR) for a name valid_user_name() refuses.
    void set(std::string_view user, const Secret& password);
    bool remove(std::string_view user);
    // The senders mapped to user (normalized; empty: none, or no such user).
    std::vector<std::string> senders(std::string_view user) const;
    // Replaces them; throws ExitError (EX_NOUSER) for a missing user,
    // (EX_DATAERR) for an entry normalize_sender() refuses or more than
    // kMaxSenders.  Empty: none mapped (the key leaves the file).
    void set_senders(std::string_view user, const std::vector<std::string>& senders);
    bool contains(std::string_view user) const;
    std::vector<std::string> users() const;  // sorted

    long work_factor() const noexcept { return work_factor_; }
    // Also written to the file from now on.
    void set_work_factor(long work_factor);

    std::string to_json() const;
    // Atomic replacement, mode 0600; throws SysError.
    void save(const std::string& path) const;

private:
    struct Entry {
        std::string salt, hash;            // raw bytes
        std::vector<std::string> senders;  // normalized
    };
    std::map<std::string, Entry, std::less<>> entries_;
    long work_factor_ = kDefaultWorkFactor;
    bool work_factor_in_file_ = false;
};

}  // namespace orou::auth
