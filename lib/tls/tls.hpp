// OpenSSL behind owners: a server context, and a Stream over a TLS session
// on a pair of fds (one socket, or two pipes).  The client side (its
// context and what its handshake checks) is in lib/tls/client.hpp.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "io/stream.hpp"

namespace orou::tls {

struct ClientCheck;  // lib/tls/client.hpp

template <auto Free>
struct CFree {
    template <class T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};
using SslCtx = std::unique_ptr<SSL_CTX, CFree<SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, CFree<SSL_free>>;

// The OpenSSL error queue as text (and clears it).
std::string last_error();

// A certificate chain and its key as read from their PEM files: the text,
// to be made into a context at once or later (after a chroot, or by a user
// that may not read the files).
struct ServerPem {
    std::string cert_file, key_file;
    std::string cert, key;
};

// Reads both files; throws ConfigError naming the one that does not read.
ServerPem read_server_pem(const std::string& cert_file, const std::string& key_file);

// A server context: the certificate chain and key, TLS 1.2 at least, and
// under TLS 1.2 only ECDHE with AES-GCM or ChaCha20-Poly1305.  Throws
// ConfigError naming the file that does not load.
SslCtx make_server_ctx(const ServerPem& pem);
SslCtx make_server_ctx(const std::string& cert_file, const std::string& key_file);

// The server context of a session: made when first asked for.  A session
// started per connection (systemd Accept=yes, inetd nowait) on a STARTTLS
// port reads the files at its start, so that a missing one still stops it,
// but makes the context (OpenSSL's algorithms fetched, the PEM decoded:
// a third of such a start, bench/RESULTS.md) only when its client asks for
// TLS.
class ServerContext {
public:
    ServerContext() = default;  // no TLS
    // OpenSSL reads its own configuration file now: the context may be
    // made under a system call filter, or in a chroot, that opens no file.
    explicit ServerContext(ServerPem pem);
    explicit ServerContext(SslCtx made) : ctx_(std::move(made)) {}

    bool offered() const { return ctx_ || !pem_.cert_file.empty(); }
    // The context, made now if it is not yet; throws ConfigError.
    SSL_CTX* get();

private:
    ServerPem pem_;
    SslCtx ctx_;
};

// In a process that forks sessions: does once, before the forks, the setup
// OpenSSL would otherwise do lazily in every session (and copy into its
// pages there): its error strings, its random generator, the objects an
// SSL of `ctx` (may be null) is made from.
void prepare_for_fork(SSL_CTX* ctx);

class TlsStream final : public io::Stream {
public:
    // Sets both fds non-blocking; reads and writes wait with poll().
    TlsStream(SSL_CTX* ctx, int in_fd, int out_fd);
    // Server side handshake; false (with the reason in error()) on failure
    // or when the deadline passes.
    bool accept(io::Deadline deadline);
    // Client side handshake (lib/tls/client.cpp): SNI, then the checks of
    // `check`; false (with the reason in error()) on failure or timeout.
    bool connect(const ClientCheck& check, io::Deadline deadline);

    // Sends close_notify once the handshake is done, without waiting for
    // the peer's: a clean end, which a client may need to keep the
    // session for resumption.  Errors are ignored (the peer may be gone).
    void close() noexcept;

    io::ReadResult read(std::span<char> buf, io::Deadline deadline) override;
    void write(std::string_view data) override;
    bool pending() const override { return SSL_pending(ssl_.get()) > 0; }

    std::string version() const { return SSL_get_version(ssl_.get()); }
    std::string cipher() const { return SSL_get_cipher_name(ssl_.get()); }
    const std::string& error() const { return error_; }

private:
    // Waits as OpenSSL asks after a call that returned rc; false: give up.
    bool wait(int rc, io::Deadline deadline);

    Ssl ssl_;
    int in_, out_;
    std::string error_;
};

}  // namespace orou::tls
