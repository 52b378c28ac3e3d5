// The SMTP session driven through a fake stream: no sockets, no processes.
#include "smtpd/session.hpp"

#include <gtest/gtest.h>

#include "auth_temp_dir.hpp"
#include "fake_lmtp_stage.hpp"
#include "fake_stream.hpp"

namespace {

using namespace orou;

class FakeChecker final : public auth::Checker {
public:
    auth::AuthResult check(std::string_view user, const auth::Secret& password, std::string_view) override {
        ++calls;
        return user == "asdf" && password.view() == "asdf" ? auth::AuthResult::Ok : auth::AuthResult::Refused;
    }
    int calls = 0;
};

struct Run {
    std::string output;
    int checks;
};

Run session(const std::string& input, smtpd::Config config = {}, const std::string& log_target = "NONE") {
    config.hostname = "vps.test";
    config.domains.delivery = {"example.com"};
    test::FakeStream stream(input, 7);
    FakeChecker checker;
    log::Logger logger("test", log_target, log::Level::Info);
    smtpd::Session s(config, smtpd::Services{&checker, nullptr, logger}, stream, smtpd::Peer{"192.0.2.7", "2525"});
    s.run();
    return {stream.output, checker.calls};
}

bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

}  // namespace

TEST(Session, GreetsAndAdvertisesTheExtensions) {
    auto r = session("EHLO client\r\nQUIT\r\n");
    EXPECT_EQ(r.output.rfind("220 vps.test ESMTP Orouboros\r\n", 0), 0u);
    EXPECT_TRUE(has(r.output, "250-PIPELINING\r\n"));
    EXPECT_TRUE(has(r.output, "250 ENHANCEDSTATUSCODES\r\n"));
    EXPECT_FALSE(has(r.output, "AUTH"));
    EXPECT_TRUE(has(r.output, "221 2.0.0"));
}

TEST(Session, RcptToForeignDomainWithoutAuthIsRelayDenied) {
    auto r = session("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nQUIT\r\n");
    EXPECT_TRUE(has(r.output, "554 5.7.1 relay denied\r\n"));
}

TEST(Session, MailBeforeEhloIsRefusedWith503) {
    auto r = session("MAIL FROM:<a@x.example>\r\nQUIT\r\n");
    EXPECT_TRUE(has(r.output, "503 5.5.1 send EHLO first\r\n"));
}

TEST(Session, AuthOutsideTlsNeedsEncryption) {
    auto r = session("EHLO c\r\nAUTH PLAIN AGFzZGYAYXNkZg==\r\nQUIT\r\n");
    EXPECT_TRUE(has(r.output, "538 5.7.11"));
    EXPECT_EQ(r.checks, 0);
}

TEST(Session, AuthenticatedClientMayRelayButNeedsARelayRoute) {
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    auto r = session(
        "EHLO c\r\nAUTH PLAIN AGFzZGYAYXNkZg==\r\nMAIL FROM:<asdf@example.com>\r\n"
        "RCPT TO:<b@y.example>\r\nQUIT\r\n",
        c);
    EXPECT_TRUE(has(r.output, "235 2.7.0"));
    EXPECT_TRUE(has(r.output, "550 5.7.1 no relay route configured"));
    EXPECT_EQ(r.checks, 1);
}

TEST(Session, SecondAuthIsRefusedAndAuthInsideATransactionToo) {
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    auto r = session("EHLO c\r\nAUTH PLAIN AGFzZGYAYXNkZg==\r\nAUTH PLAIN AGFzZGYAYXNkZg==\r\nQUIT\r\n", c);
    EXPECT_TRUE(has(r.output, "503 5.5.1 already authenticated"));
    auto r2 = session("EHLO c\r\nMAIL FROM:<a@b.example>\r\nAUTH PLAIN AGFzZGYAYXNkZg==\r\nQUIT\r\n", c);
    EXPECT_TRUE(has(r2.output, "503 5.5.1 AUTH not allowed during a transaction"));
}

TEST(Session, WrongPasswordsCloseTheSessionAfterTheLimit) {
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    c.limits.max_auth_failures = 2;
    auto r = session("EHLO c\r\nAUTH PLAIN AGFzZGYAd3Jvbmc=\r\nAUTH PLAIN AGFzZGYAd3Jvbmc=\r\nNOOP\r\n", c);
    EXPECT_TRUE(has(r.output, "535 5.7.8"));
    EXPECT_TRUE(has(r.output, "421 4.7.0 too many authentication failures"));
    EXPECT_FALSE(has(r.output, "250 2.0.0 Ok"));  // NOOP never ran
}

// base64 of "root@evil.example\0asdf\0asdf": the right password, but asking to act as someone else
constexpr const char* kForeignAuthzid = "cm9vdEBldmlsLmV4YW1wbGUAYXNkZgBhc2Rm";

TEST(Session, AForeignAuthorizationIdentityIsRefusedWithoutCheckingThePassword) {
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    c.require_auth = true;
    test::TempDir dir;
    auto r =
        session(std::string("EHLO c\r\nAUTH PLAIN ") + kForeignAuthzid + "\r\nMAIL FROM:<asdf@example.com>\r\nQUIT\r\n",
                c, dir.file("log"));
    EXPECT_TRUE(has(r.output, "535 5.7.8 authorization identity must be empty or the user name\r\n"));
    EXPECT_FALSE(has(r.output, "235"));
    EXPECT_TRUE(has(r.output, "530 5.7.0 authentication required"));
    EXPECT_EQ(r.checks, 0);
    std::string log = test::slurp(dir.file("log"));
    EXPECT_TRUE(
        has(log, "event=auth client=192.0.2.7 user=asdf authzid=root@evil.example result=refused reason=authzid"))
        << log;
}

TEST(Session, AForeignAuthorizationIdentityCountsAsAnAuthFailure) {
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    c.limits.max_auth_failures = 2;
    auto r = session(
        std::string("EHLO c\r\nAUTH PLAIN AGFzZGYAd3Jvbmc=\r\nAUTH PLAIN ") + kForeignAuthzid + "\r\nNOOP\r\n", c);
    EXPECT_TRUE(has(r.output, "421 4.7.0 too many authentication failures"));
    EXPECT_FALSE(has(r.output, "250 2.0.0 Ok"));
}

TEST(Session, TheUsersOwnOrAnEmptyAuthzidAndTheTwoFieldFormAreAccepted) {
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    for (const char* b64 : {"YXNkZgBhc2RmAGFzZGY=", "AGFzZGYAYXNkZg==", "YXNkZgBhc2Rm"}) {
        auto r = session(std::string("EHLO c\r\nAUTH PLAIN ") + b64 + "\r\nQUIT\r\n", c);
        EXPECT_TRUE(has(r.output, "235 2.7.0")) << b64;
        EXPECT_EQ(r.checks, 1) << b64;
    }
}

TEST(Session, AnAuthzidWithControlBytesIsLoggedEscaped) {
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    test::TempDir dir;
    // "x\nevent=auth result=ok\0asdf\0asdf"
    auto r =
        session("EHLO c\r\nAUTH PLAIN eApldmVudD1hdXRoIHJlc3VsdD1vawBhc2RmAGFzZGY=\r\nQUIT\r\n", c, dir.file("log"));
    EXPECT_TRUE(has(r.output, "535 5.7.8"));
    std::string log = test::slurp(dir.file("log"));
    EXPECT_TRUE(has(log, "authzid=\"x\\x0aevent=auth result=ok\""));
    EXPECT_FALSE(has(log, "\nevent=")) << log;
}

TEST(Session, RequireAuthRefusesMailBeforeAuth) {
    smtpd::Config c;
    c.require_auth = true;
    auto r = session("EHLO c\r\nMAIL FROM:<a@x.example>\r\nQUIT\r\n", c);
    EXPECT_TRUE(has(r.output, "530 5.7.0 authentication required"));
}

TEST(Session, OwnDomainWithoutAStageIsATemporaryFailure) {
    auto r = session("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@example.com>\r\nQUIT\r\n");
    EXPECT_TRUE(has(r.output, "451 4.3.5 no local route configured"));
}

TEST(Session, StartTlsWithoutTlsIsUnavailable) {
    auto r = session("EHLO c\r\nSTARTTLS\r\nQUIT\r\n");
    EXPECT_TRUE(has(r.output, "454 4.7.0 TLS not available"));
}

TEST(Session, TooManyErrorsEndTheSessionWith421) {
    smtpd::Config c;
    c.limits.max_errors = 2;
    auto r = session("X\r\nY\r\nNOOP\r\n", c);
    EXPECT_TRUE(has(r.output, "421 4.7.0 too many errors"));
    EXPECT_FALSE(has(r.output, "250 2.0.0 Ok"));
}

TEST(Session, SizeParameterOverTheLimitIsRefusedAtMail) {
    smtpd::Config c;
    c.limits.max_message = 1000;
    auto r = session("EHLO c\r\nMAIL FROM:<a@x.example> SIZE=1001\r\nMAIL FROM:<a@x.example> FOO=1\r\nQUIT\r\n", c);
    EXPECT_TRUE(has(r.output, "552 5.3.4"));
    EXPECT_TRUE(has(r.output, "555 5.5.4"));
}

TEST(Session, BarePostmasterIsAcceptedForTheFirstOwnDomain) {
    auto r = session("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<Postmaster>\r\nQUIT\r\n");
    // no local stage in this test: the route is found, the stage is missing
    EXPECT_TRUE(has(r.output, "451 4.3.5 no local route configured"));
    EXPECT_FALSE(has(r.output, "501"));
}

TEST(Session, BodyParameterValuesAreCaseInsensitive) {
    auto r =
        session("EHLO c\r\nMAIL FROM:<a@x.example> BODY=8bitmime\r\nRSET\r\nMAIL FROM:<a@x.example> BODY=bogus\r\n");
    EXPECT_TRUE(has(r.output, "\r\n250 2.1.0")) << r.output;
    EXPECT_TRUE(has(r.output, "\r\n555 5.5.4")) << r.output;
}

TEST(Session, AnXloopTrailWithThisSmtpdInItIsAMailLoopAndSoIsOneAsLongAsTheHopLimit) {
    smtpd::Config config;
    config.hostname = "vps.test";
    config.domains.delivery = {"example.com"};
    config.limits.max_hops = 3;
    test::FakeStream stream(
        "EHLO c\r\nMAIL FROM:<a@x.example> XLOOP=11111111.0123abcd\r\n"
        "MAIL FROM:<a@x.example> XLOOP=11111111.22222222.33333333\r\n"
        "MAIL FROM:<a@x.example> XLOOP=11111111.22222222\r\n",
        7);
    log::Logger logger("test", "NONE", log::Level::Error);
    smtpd::Session s(config, smtpd::Services{nullptr, nullptr, logger, "0123abcd"}, stream, smtpd::Peer{});
    s.run();
    EXPECT_TRUE(has(stream.output, "\r\n250-XLOOP\r\n")) << stream.output;
    const auto first = stream.output.find("554 5.4.6");
    ASSERT_NE(first, std::string::npos) << stream.output;
    EXPECT_NE(stream.output.find("554 5.4.6", first + 1), std::string::npos) << stream.output;
    EXPECT_TRUE(has(stream.output, "\r\n250 2.1.0")) << stream.output;
}

// A filter stage that offers XFORWARD hears the client's facts and, from an
// authenticated session, the login as AUTH=; what a client gave as AUTH=
// itself never goes on.
TEST(Session, AStageOfferingXforwardHearsTheClientsFactsAndTheLogin) {
    test::TempDir dir;
    smtpd::Config c;
    c.allow_plaintext_auth = true;
    c.relay_route = "unix:" + dir.file("sign.sock");
    test::FakeLmtpStage stage(dir.file("sign.sock"), "250-XFORWARD NAME ADDR PROTO HELO IDENT\r\n", {});
    auto r = session(
        "EHLO client.example\r\nAUTH PLAIN AGFzZGYAYXNkZg==\r\nMAIL FROM:<asdf@example.com> AUTH=mallory\r\n"
        "RCPT TO:<b@y.example>\r\nQUIT\r\n",
        c);
    EXPECT_TRUE(has(r.output, "250 2.1.0 sender ok\r\n250 2.0.0 ok\r\n")) << r.output;
    const auto& sent = stage.lines();
    ASSERT_GE(sent.size(), 3u);
    EXPECT_EQ(sent[1], "XFORWARD ADDR=192.0.2.7 PROTO=ESMTP HELO=client.example");
    EXPECT_EQ(sent[2], "MAIL FROM:<asdf@example.com> AUTH=asdf");
}

TEST(Session, AStrangersAuthParameterDoesNotGoOn) {
    test::TempDir dir;
    smtpd::Config c;
    c.domains.delivery = {"example.com"};
    c.local_route = "unix:" + dir.file("sign.sock");
    test::FakeLmtpStage stage(dir.file("sign.sock"), "250-XFORWARD NAME ADDR PROTO HELO IDENT\r\n", {});
    auto r = session("EHLO c\r\nMAIL FROM:<a@x.example> AUTH=asdf\r\nRCPT TO:<bob@example.com>\r\nQUIT\r\n", c);
    EXPECT_TRUE(has(r.output, "250 2.1.0 sender ok\r\n250 2.0.0 Ok\r\n")) << r.output;
    const auto& sent = stage.lines();
    ASSERT_GE(sent.size(), 3u);
    EXPECT_EQ(sent[2], "MAIL FROM:<a@x.example>");
}
