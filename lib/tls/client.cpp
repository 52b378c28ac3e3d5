#include "tls/client.hpp"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstdint>

#include "base/error.hpp"

namespace orou::tls {

namespace {

bool is_ip_address(const std::string& name) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, name.c_str(), buf) == 1 || ::inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

// DANE (RFC 7672 section 3): the TLSA records, names checked only for
// DANE-TA(2), never for DANE-EE(3).
bool prepare_dane(SSL* ssl, const ClientCheck& check) {
    if (SSL_dane_enable(ssl, check.name.c_str()) <= 0) return false;
    SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
    X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int added = 0;
    for (const Tlsa& t : check.tlsa) {
        const auto* data = reinterpret_cast<const unsigned char*>(t.data.data());
        const int rc = SSL_dane_tlsa_add(ssl, static_cast<std::uint8_t>(t.usage), static_cast<std::uint8_t>(t.selector),
                                         static_cast<std::uint8_t>(t.mtype), data, t.data.size());
        if (rc < 0) return false;
        added += rc;
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    return added > 0;
}

// SNI, and for Chain the name the certificate must hold.
bool prepare(SSL* ssl, const ClientCheck& check) {
    const bool ip = is_ip_address(check.name);
    if (!check.name.empty() && !ip && SSL_set_tlsext_host_name(ssl, check.name.c_str()) != 1) return false;
    if (check.verify == Verify::Dane) return prepare_dane(ssl, check);
    if (check.verify != Verify::Chain) {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
        return true;
    }
    SSL_set_verify(ssl, check.report_only ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
    if (check.name.empty()) return true;
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (ip) return X509_VERIFY_PARAM_set1_ip_asc(param, check.name.c_str()) == 1;
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set1_host(ssl, check.name.c_str()) == 1;
}

// Why the handshake failed: the verification result when there is one.
std::string handshake_error(SSL* ssl) {
    const long result = SSL_get_verify_result(ssl);
    if (result != X509_V_OK) {
        ERR_clear_error();
        return std::string("certificate verification failed: ") + X509_verify_cert_error_string(result);
    }
    return last_error();
}

// The pin, checked after the handshake; "" when it holds.
std::string check_pin(SSL* ssl, const std::string& pin) {
    X509Ptr cert(SSL_get1_peer_certificate(ssl));
    if (!cert) return "the server sent no certificate";
    const std::string got = fingerprint_of(cert.get());
    if (got.size() == pin.size() && CRYPTO_memcmp(got.data(), pin.data(), pin.size()) == 0) return "";
    return "certificate fingerprint mismatch: got sha256 " + got;
}

}  // namespace

SslCtx make_client_ctx(Verify verify, const std::string& ca_file, bool dane) {
    SslCtx ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) throw ConfigError("cannot create a TLS context: " + last_error());
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE);
    if (dane && SSL_CTX_dane_enable(ctx.get()) <= 0) throw ConfigError("cannot enable DANE: " + last_error());
    if (verify != Verify::Chain) return ctx;
    if (ca_file.empty()) {
        if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1)
            throw ConfigError("cannot load the system trust store: " + last_error());
    } else if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
        throw ConfigError("cannot load CA file " + ca_file + ": " + last_error());
    }
    return ctx;
}

std::optional<std::string> parse_fingerprint(std::string_view text) {
    std::string hex;
    for (char c : text) {
        if (c == ':') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (hex.size() != 2 * 32) return std::nullopt;
    return hex;
}

std::string fingerprint_of(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) throw std::runtime_error("X509_digest: " + last_error());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += {kHex[md[i] >> 4], kHex[md[i] & 0xf]};
    return hex;
}

bool TlsStream::connect(const ClientCheck& check, io::Deadline deadline) {
    ERR_clear_error();
    if (!prepare(ssl_.get(), check)) {
        error_ = "cannot set the server name: " + last_error();
        return false;
    }
    for (;;) {
        const int rc = SSL_connect(ssl_.get());
        if (rc == 1) break;
        if (!wait(rc, deadline)) {
            error_ = io::Clock::now() >= deadline ? "handshake timed out" : handshake_error(ssl_.get());
            return false;
        }
    }
    if (check.report_only) {
        if (SSL_get_verify_result(ssl_.get()) != X509_V_OK) error_ = handshake_error(ssl_.get());
        return true;
    }
    if (check.verify != Verify::Fingerprint) return true;
    error_ = check_pin(ssl_.get(), check.fingerprint);
    return error_.empty();
}

}  // namespace orou::tls
