#include "tls/tls.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <chrono>

#include "auth/atomic_file.hpp"
#include "base/error.hpp"

namespace orou::tls {

namespace {

constexpr std::chrono::seconds kWriteTimeout{300};
constexpr std::size_t kMaxPem = 1 << 20;  // a certificate chain or a key file: far less

// Under TLS 1.2 only forward-secret AEAD suites: ECDHE with AES-GCM or
// ChaCha20-Poly1305 (TLS 1.3's suites are all of that kind already).
constexpr const char* kTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";

void set_nonblocking(int fd) {
    int flags = static_cast<int>(check_sys(::fcntl(fd, F_GETFL), "read fd flags"));
    check_sys(::fcntl(fd, F_SETFL, flags | O_NONBLOCK), "set fd non-blocking");
}

}  // namespace

std::string last_error() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown TLS error" : out;
}

ServerPem read_server_pem(const std::string& cert_file, const std::string& key_file) {
    auto read = [](const std::string& path, const char* what) {
        try {
            return auth::read_file(path, kMaxPem);
        } catch (const SysError& e) {
            throw ConfigError(std::string("cannot load ") + what + " " + path + ": " + e.what());
        }
    };
    return {cert_file, key_file, read(cert_file, "certificate"), read(key_file, "key")};
}

namespace {

using Bio = std::unique_ptr<BIO, CFree<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, CFree<X509_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, CFree<EVP_PKEY_free>>;

Bio memory_bio(const std::string& text) { return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

// The leaf, then each certificate after it as the chain (what
// SSL_CTX_use_certificate_chain_file does with a file).
void use_chain(SSL_CTX* ctx, const ServerPem& pem) {
    Bio bio = memory_bio(pem.cert);
    X509Ptr leaf(bio ? PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1)
        throw ConfigError("cannot load certificate " + pem.cert_file + ": " + last_error());
    while (X509Ptr ca{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)})
        if (SSL_CTX_add0_chain_cert(ctx, ca.get()) != 1)
            throw ConfigError("cannot load certificate " + pem.cert_file + ": " + last_error());
        else (void)ca.release();
    const unsigned long end = ERR_peek_last_error();
    if (ERR_GET_LIB(end) != ERR_LIB_PEM || ERR_GET_REASON(end) != PEM_R_NO_START_LINE)
        throw ConfigError("cannot load certificate " + pem.cert_file + ": " + last_error());
    ERR_clear_error();  // the end of the chain
}

}  // namespace

SslCtx make_server_ctx(const ServerPem& pem) {
    SslCtx ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) throw ConfigError("cannot create a TLS context: " + last_error());
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1)
        throw ConfigError("cannot set the TLS 1.2 cipher suites: " + last_error());
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE);
    use_chain(ctx.get(), pem);
    Bio bio = memory_bio(pem.key);
    Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key || SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1)
        throw ConfigError("cannot load key " + pem.key_file + ": " + last_error());
    if (SSL_CTX_check_private_key(ctx.get()) != 1)
        throw ConfigError("key " + pem.key_file + " does not match certificate " + pem.cert_file);
    return ctx;
}

SslCtx make_server_ctx(const std::string& cert_file, const std::string& key_file) {
    return make_server_ctx(read_server_pem(cert_file, key_file));
}

ServerContext::ServerContext(ServerPem pem) : pem_(std::move(pem)) {
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr) != 1)
        throw ConfigError("cannot set up OpenSSL: " + last_error());
}

SSL_CTX* ServerContext::get() {
    if (!ctx_) ctx_ = make_server_ctx(pem_);
    return ctx_.get();
}

namespace {

constexpr int kWarmUpSteps = 16;  // a handshake takes 2 or 3 rounds each way

// One handshake of `server_ctx` with a client of our own in memory, and a
// byte each way, at `version`: OpenSSL fetches and caches the algorithms
// of the key exchange, the signature and the cipher on first use, a few
// milliseconds that every forked session would pay again.
void warm_up(SSL_CTX* server_ctx, int version) {
    SslCtx client_ctx(SSL_CTX_new(TLS_client_method()));
    if (!client_ctx) return;
    SSL_CTX_set_min_proto_version(client_ctx.get(), version);
    SSL_CTX_set_max_proto_version(client_ctx.get(), version);
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_NONE, nullptr);
    Ssl client(SSL_new(client_ctx.get())), server(SSL_new(server_ctx));
    BIO *client_bio = nullptr, *server_bio = nullptr;
    if (!client || !server || BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) return;
    SSL_set_bio(client.get(), client_bio, client_bio);
    SSL_set_bio(server.get(), server_bio, server_bio);
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());
    for (int i = 0; i < kWarmUpSteps; ++i) {
        const bool client_done = SSL_do_handshake(client.get()) == 1;
        const bool server_done = SSL_do_handshake(server.get()) == 1;
        if (client_done && server_done) break;
    }
    char byte = 'x';
    if (SSL_write(client.get(), &byte, 1) == 1) (void)SSL_read(server.get(), &byte, 1);
    if (SSL_write(server.get(), &byte, 1) == 1) (void)SSL_read(client.get(), &byte, 1);
}

}  // namespace

void prepare_for_fork(SSL_CTX* ctx) {
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
    unsigned char byte;
    (void)RAND_bytes(&byte, 1);
    if (ctx) {
        warm_up(ctx, TLS1_3_VERSION);
        warm_up(ctx, TLS1_2_VERSION);
    }
    ERR_clear_error();
}

TlsStream::TlsStream(SSL_CTX* ctx, int in_fd, int out_fd) : ssl_(SSL_new(ctx)), in_(in_fd), out_(out_fd) {
    if (!ssl_) throw std::runtime_error("SSL_new: " + last_error());
    set_nonblocking(in_);
    if (out_ != in_) set_nonblocking(out_);
    SSL_set_rfd(ssl_.get(), in_);
    SSL_set_wfd(ssl_.get(), out_);
}

bool TlsStream::wait(int rc, io::Deadline deadline) {
    switch (SSL_get_error(ssl_.get(), rc)) {
    case SSL_ERROR_WANT_READ: return io::wait_fd(in_, false, deadline);
    case SSL_ERROR_WANT_WRITE: return io::wait_fd(out_, true, deadline);
    default: return false;
    }
}

bool TlsStream::accept(io::Deadline deadline) {
    ERR_clear_error();
    for (;;) {
        int rc = SSL_accept(ssl_.get());
        if (rc == 1) return true;
        if (!wait(rc, deadline)) {
            error_ = io::Clock::now() >= deadline ? "handshake timed out" : last_error();
            return false;
        }
    }
}

void TlsStream::close() noexcept {
    if (SSL_is_init_finished(ssl_.get())) (void)SSL_shutdown(ssl_.get());
    ERR_clear_error();
}

io::ReadResult TlsStream::read(std::span<char> buf, io::Deadline deadline) {
    ERR_clear_error();
    for (;;) {
        int rc = SSL_read(ssl_.get(), buf.data(), static_cast<int>(buf.size()));
        if (rc > 0) return {io::ReadStatus::Ok, static_cast<std::size_t>(rc)};
        if (!wait(rc, deadline)) {
            if (io::Clock::now() >= deadline) return {io::ReadStatus::Timeout};
            return {io::ReadStatus::Eof};
        }
    }
}

void TlsStream::write(std::string_view data) {
    ERR_clear_error();
    auto deadline = io::Clock::now() + kWriteTimeout;
    while (!data.empty()) {
        int rc = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
        if (rc > 0) {
            data.remove_prefix(static_cast<std::size_t>(rc));
            continue;
        }
        if (!wait(rc, deadline)) throw SysError("write to the TLS peer", EPIPE);
    }
}

}  // namespace orou::tls
