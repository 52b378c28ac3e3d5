#include "auth/credentials.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sysexits.h>

#include <climits>
#include <nlohmann/json.hpp>

#include "auth/atomic_file.hpp"
#include "auth/base64.hpp"
#include "auth/senders.hpp"
#include "base/error.hpp"
#include "log/log.hpp"

namespace orou::auth {

namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxHashBytes = 64;
constexpr std::size_t kMinHashBytes = 16;
constexpr char kDummySalt[kSaltBytes] = {};

std::string pbkdf2(std::string_view password, std::string_view salt, long iterations, std::size_t length) {
    std::string out(length, '\0');
    int ok = PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                               reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                               static_cast<int>(iterations), EVP_sha256(), static_cast<int>(length),
                               reinterpret_cast<unsigned char*>(out.data()));
    if (ok != 1) throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
    return out;
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
    throw ConfigError("credentials file " + origin + ": " + what);
}

long parse_work_factor(const json& value, const std::string& origin) {
    if (!value.is_number_integer() || value.get<long long>() < 1 || value.get<long long>() > INT_MAX)
        bad(origin, "\"work_factor\" must be a whole number from 1 to " + std::to_string(INT_MAX));
    return static_cast<long>(value.get<long long>());
}

std::string decode_field(const json& entry, const char* field, const std::string& origin, const std::string& user) {
    auto it = entry.find(field);
    if (it == entry.end() || !it->is_string()) bad(origin, "user \"" + user + "\" has no string \"" + field + "\"");
    auto bytes = base64_decode(it->get<std::string>());
    if (!bytes || bytes->empty()) bad(origin, "user \"" + user + "\": \"" + field + "\" is not valid base64");
    return *bytes;
}

// The "senders" of a user: absent, or an array of at most kMaxSenders
// entries that normalize_sender() takes.
std::vector<std::string> parse_senders(const json& entry, const std::string& origin, const std::string& user) {
    auto it = entry.find("senders");
    if (it == entry.end()) return {};
    if (!it->is_array() || it->size() > kMaxSenders)
        bad(origin, "user \"" + user + "\": \"senders\" must be an array of at most " + std::to_string(kMaxSenders) +
                        " strings");
    std::vector<std::string> out;
    for (const auto& item : *it)
        if (!item.is_string() || !add_sender(out, item.get<std::string>()))
            bad(origin, "user \"" + user + "\": \"senders\" holds an entry that is not an address, @domain or *");
    return out;
}

// JSON holds only UTF-8: let nlohmann's own encoder judge.
bool is_utf8(std::string_view text) {
    try {
        (void)json(std::string(text)).dump();
        return true;
    } catch (const json::type_error&) {
        return false;
    }
}

}  // namespace

bool valid_user_name(std::string_view user) {
    if (user.empty() || user.size() > kMaxUserName || user == kWorkFactorKey) return false;
    for (unsigned char c : user)
        if (c < 0x20 || c == 0x7f) return false;
    return is_utf8(user);
}

CredentialStore CredentialStore::load(const std::string& path) {
    std::string text;
    try {
        text = read_file(path, kMaxCredentialsFile);
    } catch (const SysError& e) {
        throw ConfigError(std::string("credentials file: ") + e.what());
    }
    return parse(text, path);
}

CredentialStore CredentialStore::parse(std::string_view json_text, const std::string& origin) {
    json doc = json::parse(json_text, nullptr, false);
    if (doc.is_discarded()) bad(origin, "not valid JSON");
    if (!doc.is_object()) bad(origin, "not a JSON object of users");
    CredentialStore store;
    for (const auto& [key, value] : doc.items()) {
        if (key == kWorkFactorKey) {
            store.set_work_factor(parse_work_factor(value, origin));
            continue;
        }
        if (!valid_user_name(key)) bad(origin, "invalid user name " + log::escape(key.substr(0, 64)));
        if (!value.is_object()) bad(origin, "user \"" + key + "\" is not an object");
        Entry e{decode_field(value, "salt", origin, key), decode_field(value, "hash", origin, key),
                parse_senders(value, origin, key)};
        if (e.hash.size() < kMinHashBytes || e.hash.size() > kMaxHashBytes)
            bad(origin, "user \"" + key + "\": \"hash\" has a bad length");
        store.entries_.emplace(key, std::move(e));
    }
    return store;
}

bool CredentialStore::verify(std::string_view user, const Secret& password) const {
    auto it = entries_.find(user);
    bool known = it != entries_.end();
    std::string_view salt = known ? std::string_view(it->second.salt) : std::string_view(kDummySalt, kSaltBytes);
    std::size_t length = known ? it->second.hash.size() : kHashBytes;
    std::string derived = pbkdf2(password.view(), salt, work_factor_, length);
    std::string expected = known ? it->second.hash : std::string(length, '\0');
    bool same = CRYPTO_memcmp(derived.data(), expected.data(), length) == 0;
    OPENSSL_cleanse(derived.data(), derived.size());
    return known && same;
}

void CredentialStore::set(std::string_view user, const Secret& password) {
    if (!valid_user_name(user))
        throw ExitError(EX_DATAERR, "invalid user name (empty, control bytes, over 255 bytes, or reserved)");
    Entry& e = entries_[std::string(user)];  // a new user, or one whose senders stay
    e.salt = random_bytes(kSaltBytes);
    e.hash = pbkdf2(password.view(), e.salt, work_factor_, kHashBytes);
}

bool CredentialStore::remove(std::string_view user) {
    auto it = entries_.find(user);
    if (it == entries_.end()) return false;
    entries_.erase(it);
    return true;
}

std::vector<std::string> CredentialStore::senders(std::string_view user) const {
    auto it = entries_.find(user);
    return it == entries_.end() ? std::vector<std::string>{} : it->second.senders;
}

void CredentialStore::set_senders(std::string_view user, const std::vector<std::string>& senders) {
    auto it = entries_.find(user);
    if (it == entries_.end()) throw ExitError(EX_NOUSER, "no user " + std::string(user));
    std::vector<std::string> out;
    for (const auto& s : senders)
        if (!add_sender(out, s))
            throw ExitError(EX_DATAERR, "invalid sender " + log::escape(s) + " (want local@domain, @domain or *)");
    if (out.size() > kMaxSenders)
        throw ExitError(EX_DATAERR, "more than " + std::to_string(kMaxSenders) + " senders for one user");
    it->second.senders = std::move(out);
}

bool CredentialStore::contains(std::string_view user) const { return entries_.find(user) != entries_.end(); }

std::vector<std::string> CredentialStore::users() const {
    std::vector<std::string> out;
    for (const auto& [user, entry] : entries_) out.push_back(user);
    return out;
}

void CredentialStore::set_work_factor(long work_factor) {
    if (work_factor < 1 || work_factor > INT_MAX) throw ConfigError("work factor out of range");
    work_factor_ = work_factor;
    work_factor_in_file_ = true;
}

std::string CredentialStore::to_json() const {
    json doc = json::object();
    if (work_factor_in_file_) doc[std::string(kWorkFactorKey)] = work_factor_;
    for (const auto& [user, e] : entries_) {
        doc[user] = {{"salt", base64_encode(e.salt)}, {"hash", base64_encode(e.hash)}};
        if (!e.senders.empty()) doc[user]["senders"] = e.senders;
    }
    return doc.dump(4) + "\n";
}

void CredentialStore::save(const std::string& path) const { write_file_atomically(path, to_json(), 0600); }

}  // namespace orou::auth
