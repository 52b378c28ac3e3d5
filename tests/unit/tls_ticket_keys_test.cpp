// Session-ticket keys: rotation on an injected clock, and real handshakes
// over a memory BIO pair that resume (or not) across rotations.
#include "tls/ticket_keys.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <string_view>

#include <gtest/gtest.h>

#include "auth_temp_dir.hpp"
#include "base/error.hpp"
#include "tls/tls.hpp"

using orou::tls::TicketKeys;

namespace {

constexpr std::chrono::seconds kPeriod{3600};
const TicketKeys::Clock::time_point t0{};

using Pkey = std::unique_ptr<EVP_PKEY, orou::tls::CFree<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, orou::tls::CFree<X509_free>>;
using Session = std::unique_ptr<SSL_SESSION, orou::tls::CFree<SSL_SESSION_free>>;

// A self-signed P-256 certificate and its key, as PEM files in `dir`.
void make_cert(const orou::test::TempDir& dir) {
    Pkey key(EVP_EC_gen("P-256"));
    X509Ptr cert(X509_new());
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    X509_sign(cert.get(), key.get(), EVP_sha256());
    std::FILE* k = std::fopen(dir.file("key.pem").c_str(), "w");
    PEM_write_PrivateKey(k, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(k);
    std::FILE* c = std::fopen(dir.file("cert.pem").c_str(), "w");
    PEM_write_X509(c, cert.get());
    std::fclose(c);
}

// One handshake in memory, offering `resume`; the client's session after
// it (tickets read) and whether the server resumed.
std::pair<Session, bool> handshake(SSL_CTX* server_ctx, SSL_CTX* client_ctx, SSL_SESSION* resume) {
    orou::tls::Ssl server(SSL_new(server_ctx)), client(SSL_new(client_ctx));
    BIO *server_bio = nullptr, *client_bio = nullptr;
    BIO_new_bio_pair(&server_bio, 0, &client_bio, 0);
    SSL_set_bio(server.get(), server_bio, server_bio);
    SSL_set_bio(client.get(), client_bio, client_bio);
    SSL_set_accept_state(server.get());
    SSL_set_connect_state(client.get());
    if (resume) SSL_set_session(client.get(), resume);
    bool done = false;
    for (int turn = 0; turn < 20 && !done; ++turn)
        done = (SSL_do_handshake(client.get()) == 1) & (SSL_do_handshake(server.get()) == 1);
    EXPECT_TRUE(done) << orou::tls::last_error();
    char byte;
    for (int turn = 0; turn < 4; ++turn) (void)SSL_read(client.get(), &byte, 1);  // TLS 1.3 tickets come after
    // a session closed without close_notify would be marked not resumable
    (void)SSL_shutdown(client.get());
    (void)SSL_shutdown(server.get());
    return {Session(SSL_get1_session(client.get())), SSL_session_reused(server.get()) == 1};
}

struct Pair {
    orou::test::TempDir dir;
    orou::tls::SslCtx server, client;
    TicketKeys keys{kPeriod, t0};

    explicit Pair(int version) {
        make_cert(dir);
        server = orou::tls::make_server_ctx(dir.file("cert.pem"), dir.file("key.pem"));
        keys.install(server.get());
        client.reset(SSL_CTX_new(TLS_client_method()));
        SSL_CTX_set_min_proto_version(client.get(), version);
        SSL_CTX_set_max_proto_version(client.get(), version);
    }
};

}  // namespace

TEST(TicketKeys, TheKeyStaysForAPeriodThenTheOldOneOpensTicketsForOneMore) {
    TicketKeys keys(kPeriod, t0);
    const auto first = keys.current().name;
    EXPECT_FALSE(keys.rotate(t0 + kPeriod - std::chrono::seconds(1)));
    EXPECT_EQ(keys.current().name, first);
    EXPECT_TRUE(keys.rotate(t0 + kPeriod));
    EXPECT_NE(keys.current().name, first);
    EXPECT_EQ(keys.current().made, t0 + kPeriod);
    ASSERT_NE(keys.find(first.data()), nullptr);
    EXPECT_NE(keys.find(first.data()), &keys.current());
    EXPECT_EQ(keys.find(keys.current().name.data()), &keys.current());
    EXPECT_FALSE(keys.rotate(t0 + 2 * kPeriod - std::chrono::seconds(1)));
    EXPECT_TRUE(keys.rotate(t0 + 2 * kPeriod));
    EXPECT_EQ(keys.find(first.data()), nullptr);
}

TEST(TicketKeys, AfterALongIdleTheOldKeyIsDroppedAtOnce) {
    TicketKeys keys(kPeriod, t0);
    const auto first = keys.current().name;
    EXPECT_TRUE(keys.rotate(t0 + 2 * kPeriod));
    EXPECT_EQ(keys.find(first.data()), nullptr);
    const unsigned char unknown[16] = {};
    EXPECT_EQ(keys.find(unknown), nullptr);
}

TEST(TicketKeys, ATls12TicketResumesAcrossOneRotationButNotTwo) {
    Pair p(TLS1_2_VERSION);
    auto [first, reused] = handshake(p.server.get(), p.client.get(), nullptr);
    EXPECT_FALSE(reused);
    EXPECT_TRUE(handshake(p.server.get(), p.client.get(), first.get()).second);
    ASSERT_TRUE(p.keys.rotate(t0 + kPeriod));
    auto [renewed, reused_after_one] = handshake(p.server.get(), p.client.get(), first.get());
    EXPECT_TRUE(reused_after_one);
    ASSERT_TRUE(p.keys.rotate(t0 + 2 * kPeriod));
    EXPECT_FALSE(handshake(p.server.get(), p.client.get(), first.get()).second);
}

TEST(TicketKeys, ATls13TicketResumesAcrossOneRotationButNotTwo) {
    Pair p(TLS1_3_VERSION);
    auto [first, reused] = handshake(p.server.get(), p.client.get(), nullptr);
    EXPECT_FALSE(reused);
    ASSERT_TRUE(p.keys.rotate(t0 + kPeriod));
    EXPECT_TRUE(handshake(p.server.get(), p.client.get(), first.get()).second);
    ASSERT_TRUE(p.keys.rotate(t0 + 2 * kPeriod));
    EXPECT_FALSE(handshake(p.server.get(), p.client.get(), first.get()).second);
}

TEST(ServerContext, Tls12OffersOnlyForwardSecretAeadSuites) {
    orou::test::TempDir dir;
    make_cert(dir);
    auto ctx = orou::tls::make_server_ctx(dir.file("cert.pem"), dir.file("key.pem"));
    STACK_OF(SSL_CIPHER)* suites = SSL_CTX_get_ciphers(ctx.get());
    ASSERT_NE(suites, nullptr);
    int tls12 = 0;
    for (int i = 0; i < sk_SSL_CIPHER_num(suites); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(suites, i);
        if (std::string_view(SSL_CIPHER_get_version(c)) == "TLSv1.3") continue;
        ++tls12;
        EXPECT_EQ(SSL_CIPHER_get_kx_nid(c), NID_kx_ecdhe) << SSL_CIPHER_get_name(c);
        EXPECT_TRUE(SSL_CIPHER_is_aead(c)) << SSL_CIPHER_get_name(c);
    }
    EXPECT_GT(tls12, 0);
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
}

// The server context of a session started per connection: the files read
// at once, the context made on first use, and a bad one found then.
TEST(ServerContext, FilesAreReadAtOnceAndTheContextMadeWhenFirstAskedFor) {
    orou::test::TempDir dir;
    make_cert(dir);
    EXPECT_THROW(orou::tls::read_server_pem(dir.file("none.pem"), dir.file("key.pem")), orou::ConfigError);
    orou::tls::ServerContext lazy(orou::tls::read_server_pem(dir.file("cert.pem"), dir.file("key.pem")));
    EXPECT_TRUE(lazy.offered());
    SSL_CTX* made = lazy.get();
    ASSERT_NE(made, nullptr);
    EXPECT_EQ(lazy.get(), made);  // made once
    EXPECT_NE(SSL_CTX_get0_certificate(made), nullptr);
    EXPECT_FALSE(orou::tls::ServerContext().offered());

    auto garbage = orou::tls::read_server_pem(dir.file("cert.pem"), dir.file("key.pem"));
    garbage.key = "not a key\n";
    orou::tls::ServerContext bad(std::move(garbage));
    EXPECT_TRUE(bad.offered());
    try {
        (void)bad.get();
        ADD_FAILURE() << "a key that is no key made a context";
    } catch (const orou::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot load key " + dir.file("key.pem")), std::string::npos);
    }
}
