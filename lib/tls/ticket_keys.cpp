#include "tls/ticket_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "tls/tls.hpp"

namespace orou::tls {

namespace {

template <std::size_t N>
void fill_random(std::array<unsigned char, N>& bytes) {
    if (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1)
        throw std::runtime_error("cannot make a session-ticket key: " + last_error());
}

TicketKeys::Key new_key(TicketKeys::Clock::time_point now) {
    TicketKeys::Key key;
    fill_random(key.name);
    fill_random(key.aes);
    fill_random(key.hmac);
    key.made = now;
    return key;
}

void wipe(TicketKeys::Key& key) noexcept { OPENSSL_cleanse(&key, sizeof key); }

// Readies the cipher and the MAC with `key`; false on an OpenSSL failure.
bool init(const TicketKeys::Key& key, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc) {
    auto* hmac_key = const_cast<unsigned char*>(key.hmac.data());
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, hmac_key, key.hmac.size()),
                           OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
                           OSSL_PARAM_construct_end()};
    return EVP_CipherInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv, enc) == 1 &&
           EVP_MAC_CTX_set_params(mac, params) == 1;
}

// OpenSSL's ticket callback: seal with the current key (enc 1), or open
// with the key the ticket names (enc 0): 1 done, 2 done and renew the
// ticket (an old key), 0 no such key (a full handshake), -1 failure.
int ticket_callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                    int enc) noexcept {
    const auto* keys = static_cast<const TicketKeys*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    if (!keys) return -1;
    if (enc == 1) {
        const TicketKeys::Key& key = keys->current();
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
        std::copy(key.name.begin(), key.name.end(), name);
        return init(key, iv, cipher, mac, 1) ? 1 : -1;
    }
    const TicketKeys::Key* key = keys->find(name);
    if (!key) return 0;
    if (!init(*key, iv, cipher, mac, 0)) return -1;
    return key == &keys->current() ? 1 : 2;
}

}  // namespace

TicketKeys::TicketKeys(std::chrono::seconds period, Clock::time_point now) : period_(period), current_(new_key(now)) {}

TicketKeys::~TicketKeys() {
    wipe(current_);
    if (previous_) wipe(*previous_);
}

bool TicketKeys::rotate(Clock::time_point now) {
    const auto age = now - current_.made;
    if (age < period_) return false;
    Key next = new_key(now);
    if (previous_) wipe(*previous_);
    previous_.reset();
    if (age < 2 * period_) previous_ = current_;
    wipe(current_);
    current_ = next;
    wipe(next);
    return true;
}

const TicketKeys::Key* TicketKeys::find(const unsigned char* name) const {
    auto named = [&](const Key& key) { return CRYPTO_memcmp(key.name.data(), name, key.name.size()) == 0; };
    if (named(current_)) return &current_;
    if (previous_ && named(*previous_)) return &*previous_;
    return nullptr;
}

void TicketKeys::install(SSL_CTX* ctx) {
    SSL_CTX_set_app_data(ctx, this);
    SSL_CTX_set_timeout(ctx, static_cast<long>(period_.count()));
    if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_callback) != 1)
        throw std::runtime_error("cannot set the session-ticket callback: " + last_error());
}

}  // namespace orou::tls
