// The SMTP client of orouboros-forward against scripted peers: EHLO and
// its extensions, AUTH only inside TLS, PLAIN and LOGIN on the wire, the
// HELO fallback, DATA, and the 4xx a silent or broken upstream gives.
#include "forward/smtp_client.hpp"

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "forward_peer.hpp"

using namespace orou::forward;
using orou::auth::Secret;
using orou::smtp::Reply;
using orou::test::ScriptedPair;

namespace {

struct Client {
    Credentials credentials{"asdf", Secret("asdf")};
    ClientPolicy policy;
    Client() {
        policy.helo = "fwd.test";
        policy.tls = TlsMode::None;
        policy.timeouts = {std::chrono::seconds(2), std::chrono::seconds(1), std::chrono::seconds(5)};
    }
    // Runs `steps` on a client whose peer answers with `replies`; returns
    // what the client sent, QUIT included.
    template <class Steps>
    std::string session(const std::string& replies, Steps steps) {
        ScriptedPair pair(replies);
        {
            SmtpClient client(std::move(pair.client), PeerInfo{"home.test", "192.0.2.1", 25, "", ""}, policy);
            steps(client);
        }
        return pair.sent();
    }
    orou::io::Deadline end() const { return orou::io::Clock::now() + std::chrono::seconds(5); }
};

const std::string kEhloAuth = "220 home.test ESMTP\r\n250-home.test\r\n250 AUTH PLAIN LOGIN\r\n";

}  // namespace

TEST(ForwardClient, EhloExtensionsAreReadInAnyCaseAndTheOldAuthForm) {
    Extensions e = parse_ehlo({250, "", "mx.test\nPIPELINING\nstarttls\nAUTH LOGIN PLAIN\n8BITMIME\nSIZE 1000"});
    EXPECT_TRUE(e.starttls && e.plain && e.login && e.eight_bit && e.size);
    Extensions old = parse_ehlo({250, "", "mx.test\nAUTH=LOGIN"});
    EXPECT_TRUE(old.login);
    EXPECT_FALSE(old.plain || old.starttls);
    EXPECT_FALSE(parse_ehlo({250, "", "mx.test STARTTLS"}).starttls) << "the first line is the server's name";
}

TEST(ForwardClient, APasswordIsNeverSentWithoutTls) {
    Client t;
    t.policy.credentials = &t.credentials;
    Reply r;
    std::string sent = t.session(kEhloAuth + "221 bye\r\n", [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_EQ(r.code, 451);
    EXPECT_EQ(r.status, "4.7.0");
    EXPECT_NE(r.text.find("without TLS"), std::string::npos);
    EXPECT_EQ(sent, "EHLO fwd.test\r\nQUIT\r\n");
}

TEST(ForwardClient, AuthPlainSendsTheRfc4616MessageWhenPlaintextIsAllowed) {
    Client t;
    t.policy.credentials = &t.credentials;
    t.policy.allow_plaintext_auth = true;
    Reply r;
    std::string sent =
        t.session(kEhloAuth + "235 2.7.0 ok\r\n221 bye\r\n", [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_TRUE(r.ok()) << r.summary();
    EXPECT_EQ(sent, "EHLO fwd.test\r\nAUTH PLAIN AGFzZGYAYXNkZg==\r\nQUIT\r\n");
}

TEST(ForwardClient, AuthLoginAnswersBothChallengesWhenPlainIsNotOffered) {
    Client t;
    t.policy.credentials = &t.credentials;
    t.policy.allow_plaintext_auth = true;
    Reply r;
    std::string sent = t.session(
        "220 x\r\n250-x\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n221 bye\r\n",
        [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_TRUE(r.ok()) << r.summary();
    EXPECT_EQ(sent, "EHLO fwd.test\r\nAUTH LOGIN\r\nYXNkZg==\r\nYXNkZg==\r\nQUIT\r\n");
}

TEST(ForwardClient, RefusedCredentialsAreATemporary454WithTheUpstreamsWords) {
    Client t;
    t.policy.credentials = &t.credentials;
    t.policy.allow_plaintext_auth = true;
    Reply r;
    (void)t.session(kEhloAuth + "535 5.7.8 bad credentials\r\n221 bye\r\n",
                    [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_EQ(r.code, 454);
    EXPECT_EQ(r.status, "4.7.0");
    EXPECT_NE(r.text.find("535 5.7.8 bad credentials"), std::string::npos);
}

TEST(ForwardClient, RequiredStartTlsThatIsNotOfferedIs451_4_7_5AndNoMailIsSent) {
    Client t;
    t.policy.tls = TlsMode::StartTls;
    Reply r;
    std::string sent =
        t.session("220 x\r\n250-x\r\n250 8BITMIME\r\n221 bye\r\n", [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_EQ(r.summary().substr(0, 9), "451 4.7.5");
    EXPECT_EQ(sent, "EHLO fwd.test\r\nQUIT\r\n");
}

TEST(ForwardClient, OpportunisticTlsGoesOnInTheClearWhenStartTlsIsNotOffered) {
    Client t;
    t.policy.tls = TlsMode::Opportunistic;
    Reply r;
    (void)t.session("220 x\r\n250 x\r\n221 bye\r\n", [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_TRUE(r.ok()) << r.summary();
}

TEST(ForwardClient, AServerThatDoesNotKnowEhloGetsHelo) {
    Client t;
    Reply r;
    std::string sent =
        t.session("220 old\r\n502 5.5.1 what\r\n250 old\r\n221 bye\r\n", [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_TRUE(r.ok()) << r.summary();
    EXPECT_EQ(sent, "EHLO fwd.test\r\nHELO fwd.test\r\nQUIT\r\n");
}

TEST(ForwardClient, MailDeclaresSizeAndBodyOnlyWhenOfferedAndDataIsDotStuffed) {
    Client t;
    Reply mail, rcpt, data;
    std::string sent = t.session(
        "220 x\r\n250-x\r\n250 SIZE 1000\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n250 2.0.0 queued as 42\r\n"
        "221 bye\r\n",
        [&](SmtpClient& c) {
            ASSERT_TRUE(c.start(t.end()).ok());
            mail = c.mail({"a@x.example", true, 123}, t.end());
            rcpt = c.rcpt("b@home.example");
            data = send_message(c, orou::smtp::StringMessage("Subject: t\r\n\r\n.dot\r\n"));
        });
    EXPECT_EQ(sent,
              "EHLO fwd.test\r\nMAIL FROM:<a@x.example> SIZE=123\r\nRCPT TO:<b@home.example>\r\nDATA\r\n"
              "Subject: t\r\n\r\n..dot\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(data.summary(), "250 2.0.0 queued as 42");
}

TEST(ForwardClient, ASilentUpstreamTimesOutAs451AndIsNotSentQuit) {
    Client t;
    Reply r;
    std::string sent = t.session("", [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_EQ(r.code, 451);
    EXPECT_NE(r.text.find("did not answer in time"), std::string::npos);
    EXPECT_EQ(sent, "");
}

TEST(ForwardClient, A421GreetingIsATemporaryRefusalOfTheSession) {
    Client t;
    Reply r;
    (void)t.session("421 4.3.2 busy\r\n", [&](SmtpClient& c) { r = c.start(t.end()); });
    EXPECT_EQ(r.code, 451);
    EXPECT_NE(r.text.find("421 4.3.2 busy"), std::string::npos);
}

TEST(ForwardSasl, PlainLineAndLoginPasswordAreBase64InsideSecrets) {
    const Secret password("asdf");
    EXPECT_EQ(encoded_line("AUTH PLAIN ", plain_message("asdf", password).view()).view(),
              "AUTH PLAIN AGFzZGYAYXNkZg==\r\n");
    EXPECT_EQ(encoded_line("", password.view()).view(), "YXNkZg==\r\n");
    EXPECT_EQ(encoded_line("", "").view(), "\r\n");
}

TEST(ForwardSasl, ACredentialNeedsCredentialsDirectoryAndAPlainName) {
    EXPECT_EQ(credential_path("relay", "/run/credentials/x.service"), "/run/credentials/x.service/relay");
    EXPECT_THROW((void)credential_path("relay", nullptr), orou::ConfigError);
    EXPECT_THROW((void)credential_path("../etc/shadow", "/run/c"), orou::ConfigError);
    EXPECT_THROW((void)credential_path("..", "/run/c"), orou::ConfigError);
}

TEST(ForwardTls, FingerprintsAreTakenWithOrWithoutColonsInAnyCase) {
    const std::string hex(64, 'a');
    std::string colons;
    for (int i = 0; i < 32; ++i) colons += std::string(i ? ":" : "") + "AA";
    EXPECT_EQ(orou::tls::parse_fingerprint(colons), hex);
    EXPECT_EQ(orou::tls::parse_fingerprint(hex), hex);
    EXPECT_FALSE(orou::tls::parse_fingerprint(std::string(40, 'a')));  // a SHA-1
    EXPECT_FALSE(orou::tls::parse_fingerprint(std::string(63, 'a') + "g"));
}
