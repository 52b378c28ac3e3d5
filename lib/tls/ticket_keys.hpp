// Session-ticket keys for a server context whose sessions are forked from
// one ready process (orouboros-smtpd on a listening socket).  The parent
// holds the keys and rotates them; each forked session has the copy it was
// forked with, so a ticket made in one session resumes in the next.  New
// tickets are sealed with the current key; the previous one still opens
// tickets (and has them renewed) for one more period after a rotation, so
// resumption keeps working across it.  Keys come from RAND_bytes and are
// wiped when dropped.  OpenSSL calls in through
// SSL_CTX_set_tlsext_ticket_key_evp_cb (AES-256-CBC, HMAC-SHA256).
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <optional>

namespace orou::tls {

// How long a key seals new tickets, and how long after that it still opens
// them; also the sessions' timeout (SSL_CTX_set_timeout), as Postfix's
// smtpd_tls_session_cache_timeout is both.
inline constexpr std::chrono::seconds kTicketKeyPeriod{3600};

class TicketKeys {
public:
    using Clock = std::chrono::steady_clock;

    struct Key {
        std::array<unsigned char, 16> name{};
        std::array<unsigned char, 32> aes{}, hmac{};
        Clock::time_point made;
    };

    // Makes the first key, dated `now`.
    TicketKeys(std::chrono::seconds period, Clock::time_point now);
    TicketKeys(const TicketKeys&) = delete;
    TicketKeys& operator=(const TicketKeys&) = delete;
    ~TicketKeys();

    // When the current key is a period old: it becomes the previous one
    // (dropped instead when it is two periods old), and a new key is made.
    // True when it rotated.  Called by the parent before each fork.
    bool rotate(Clock::time_point now);

    const Key& current() const { return current_; }
    // The key named `name`: the current or the previous one; null if none.
    const Key* find(const unsigned char* name) const;

    // Makes OpenSSL seal and open the tickets of `ctx` with these keys
    // (this object must outlive the sessions of ctx), and sets its sessions'
    // timeout to the period.
    void install(SSL_CTX* ctx);

private:
    std::chrono::seconds period_;
    Key current_;
    std::optional<Key> previous_;
};

}  // namespace orou::tls
