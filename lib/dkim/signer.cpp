#include "dkim/signer.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "base/error.hpp"
#include "base/sanitizer.hpp"

#ifdef OROU_ASAN
#include <sanitizer/lsan_interface.h>
#endif

namespace orou::dkim {

namespace {

using Handle = std::unique_ptr<DKIM, tls::CFree<dkim_free>>;

constexpr std::string_view kField = "DKIM-Signature: ";

// Sets a list option of the library (a NULL-ended array of names).
void set_list(DKIM_LIB* lib, int option, const char** names) {
    if (dkim_options(lib, DKIM_OP_SETOPT, option, static_cast<void*>(names), sizeof names) != DKIM_STAT_OK)
        throw ConfigError("unable to set libopendkim's header lists");
}

// The library, told which header fields to sign.
DKIM_LIB* start_library() {
    DKIM_LIB* lib = dkim_init(nullptr, nullptr);
    if (!lib) throw ConfigError("unable to start libopendkim");
    const char* sign[std::size(kSignedFields) + 1] = {};  // libopendkim keeps copies
    std::copy(std::begin(kSignedFields), std::end(kSignedFields), sign);
    const char* oversign[] = {"From", nullptr};
    set_list(lib, DKIM_OPTS_SIGNHDRS, sign);
    set_list(lib, DKIM_OPTS_OVERSIGNHDRS, oversign);
    return lib;
}

// libopendkim folds with bare LF; the message has CRLF.
std::string with_crlf(std::string_view folded) {
    std::string out;
    for (char c : folded) {
        if (c == '\r') continue;
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

dkim_alg_t alg_of(Algorithm a) { return a == Algorithm::Ed25519Sha256 ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256; }

}  // namespace

Signer::Signer(std::vector<Key> keys) : keys_(std::move(keys)), lib_(start_library()) {
    for (const Key& k : keys_)
        if (k.algorithm == Algorithm::Ed25519Sha256 && !dkim_libfeature(lib_.get(), DKIM_FEATURE_ED25519))
            throw ConfigError("this libopendkim cannot sign with Ed25519 (" + k.file + ")");
}

bool Signer::signs_for(std::string_view domain) const {
    for (const Key& k : keys_)
        if (k.domain == domain) return true;
    return false;
}

Signer::Result Signer::sign(std::string_view domain, const smtp::MessageSource& message, const std::string& id) const {
    Result all;
    for (auto alg : {Algorithm::Ed25519Sha256, Algorithm::RsaSha256}) {
        for (const Key& k : keys_) {
            if (k.domain != domain || k.algorithm != alg) continue;
            Result one = sign_one(k, message, id);
            if (!one.error.empty()) return one;
            all.fields += one.fields;
        }
    }
    return all;
}

Signer::Result Signer::sign_one(const Key& key, const smtp::MessageSource& message, const std::string& id) const {
#ifdef OROU_ASAN
    // libopendkim 2.11 does not free an Ed25519 key it loads to sign (about
    // 1.3 KB a signature; a worker ends after --max-use connections): not
    // counted as our leak in a sanitizer build.
    const __lsan::ScopedDisabler libopendkim_leaks;
#endif
    // libopendkim reads the key and the names but keeps no pointer past dkim_free.
    std::string pem(key.pem.view());
    DKIM_STAT stat = DKIM_STAT_OK;
    Handle dkim(dkim_sign(lib_.get(), reinterpret_cast<const unsigned char*>(id.c_str()), nullptr,
                          reinterpret_cast<dkim_sigkey_t>(pem.data()),
                          reinterpret_cast<const unsigned char*>(key.selector.c_str()),
                          reinterpret_cast<const unsigned char*>(key.domain.c_str()), DKIM_CANON_RELAXED,
                          DKIM_CANON_RELAXED, alg_of(key.algorithm), -1, &stat));
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!dkim) return {"", std::string("dkim_sign: ") + dkim_getresultstr(stat)};
    std::string line;
    message.lines([&](std::string_view text) {
        line.assign(text).append("\r\n");
        if (stat == DKIM_STAT_OK)
            stat = dkim_chunk(dkim.get(), reinterpret_cast<unsigned char*>(line.data()), line.size());
    });
    if (stat == DKIM_STAT_OK) stat = dkim_chunk(dkim.get(), nullptr, 0);
    if (stat == DKIM_STAT_OK) stat = dkim_eom(dkim.get(), nullptr);
    unsigned char* sig = nullptr;
    std::size_t len = 0;
    if (stat == DKIM_STAT_OK) stat = dkim_getsighdr_d(dkim.get(), kField.size(), &sig, &len);
    if (stat != DKIM_STAT_OK) {
        const char* why = dkim_geterror(dkim.get());
        return {"", why && *why ? why : dkim_getresultstr(stat)};
    }
    return {std::string(kField) + with_crlf({reinterpret_cast<char*>(sig), len}) + "\r\n", ""};
}

}  // namespace orou::dkim
