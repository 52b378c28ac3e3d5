// A session's error and junk-command budgets: what counts, the growing
// wait past the soft limit (bounded by the session's deadlines), and the
// 421 at the hard limit.  The next hop is a small LMTP script spawned by
// an exec: route.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <csignal>

#include "auth_temp_dir.hpp"
#include "fake_stream.hpp"
#include "smtpd/session.hpp"

namespace {

using namespace orou;
using namespace std::chrono_literals;

struct Run {
    std::string output;
    std::chrono::milliseconds took;
};

smtpd::Config config_with(int max_errors, int soft_errors, std::chrono::milliseconds sleep) {
    smtpd::Config c;
    c.hostname = "vps.test";
    c.domains.delivery = {"example.com"};
    c.limits.max_errors = max_errors;
    c.limits.soft_errors = soft_errors;
    c.limits.error_sleep = sleep;
    return c;
}

Run session(const std::string& input, const smtpd::Config& config) {
    test::FakeStream stream(input);
    log::Logger logger("test", "NONE", log::Level::Error);
    smtpd::Session s(config, smtpd::Services{nullptr, nullptr, logger}, stream, smtpd::Peer{});
    const auto start = io::Clock::now();
    s.run();
    return {stream.output, std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - start)};
}

int count(const std::string& out, const std::string& what) {
    int n = 0;
    for (auto at = out.find(what); at != std::string::npos; at = out.find(what, at + 1)) ++n;
    return n;
}

std::string repeat(const std::string& line, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += line;
    return s;
}

// A stage that answers every RCPT with the reply it is given: a home
// server refusing an unknown user, say.
class WithStage : public ::testing::Test {
protected:
    void SetUp() override { old_ = std::signal(SIGPIPE, SIG_IGN); }
    void TearDown() override { std::signal(SIGPIPE, old_); }

    std::string stage(const std::string& rcpt_reply) {
        std::string script = dir_.write("stage",
                                        "#!/bin/sh\n"
                                        "printf '220 home.test LMTP\\r\\n'\n"
                                        "while read -r line; do\n"
                                        "  case \"$line\" in\n"
                                        "    RCPT*) printf '" +
                                            rcpt_reply +
                                            "\\r\\n' ;;\n"
                                            "    QUIT*) printf '221 bye\\r\\n'; exit 0 ;;\n"
                                            "    *) printf '250 ok\\r\\n' ;;\n"
                                            "  esac\n"
                                            "done\n");
        ::chmod(script.c_str(), 0755);
        return "exec:" + script;
    }

private:
    test::TempDir dir_;
    void (*old_)(int) = SIG_DFL;
};

const std::string kMail = "EHLO c\r\nMAIL FROM:<a@x.example>\r\n";

}  // namespace

TEST_F(WithStage, TheNextHopsRefusalsAtRcptCountAsErrorsAndEndTheSessionAtTheLimit) {
    auto c = config_with(3, 10, 0ms);
    c.local_route = stage("550 5.1.1 no such user here");
    auto r = session(kMail + repeat("RCPT TO:<guess@example.com>\r\n", 10) + "QUIT\r\n", c);
    EXPECT_EQ(count(r.output, "550 5.1.1 recipient rejected\r\n"), 3) << r.output;  // a stranger's fixed text
    EXPECT_EQ(count(r.output, "421 4.7.0 too many errors"), 1);
    EXPECT_EQ(count(r.output, "221"), 0);  // closed before QUIT
}

TEST(SessionLimits, RelayDenialsCountAsErrors) {
    auto r = session(kMail + repeat("RCPT TO:<b@elsewhere.example>\r\n", 10) + "QUIT\r\n", config_with(4, 10, 0ms));
    EXPECT_EQ(count(r.output, "554 5.7.1 relay denied\r\n"), 4);
    EXPECT_EQ(count(r.output, "421 4.7.0 too many errors"), 1);
}

TEST_F(WithStage, TooManyRecipientsIsNoError) {
    auto c = config_with(3, 10, 0ms);
    c.limits.max_rcpts = 1;
    c.local_route = stage("250 2.1.5 ok");
    auto r = session(kMail + repeat("RCPT TO:<b@example.com>\r\n", 6) + "QUIT\r\n", c);
    EXPECT_EQ(count(r.output, "452 4.5.3 too many recipients"), 5) << r.output;
    EXPECT_EQ(count(r.output, "421 4.7.0"), 0);
    EXPECT_EQ(count(r.output, "221"), 1);
}

TEST(SessionLimits, ErrorsPastTheSoftLimitWaitAStepLongerEachTime) {
    // errors 1 and 2: no wait; 3: 40 ms; 4: 80 ms; 5: 120 ms
    auto r = session(repeat("BOGUS\r\n", 5) + "QUIT\r\n", config_with(20, 2, 40ms));
    EXPECT_EQ(count(r.output, "500 5.5.2"), 5);
    EXPECT_GE(r.took, 240ms);
    EXPECT_LT(r.took, 2000ms);
}

TEST(SessionLimits, NoWaitUpToTheSoftLimitNorAtTheHardLimit) {
    auto r = session(repeat("BOGUS\r\n", 3), config_with(3, 2, 5000ms));
    EXPECT_EQ(count(r.output, "421 4.7.0 too many errors"), 1);
    EXPECT_LT(r.took, 2000ms);  // errors 1 and 2 below the soft limit, 3 at the hard one
}

TEST(SessionLimits, TheWaitAfterAnErrorNeverOutlastsTheSessionNorOneIdlePeriod) {
    for (auto deadline : {&smtpd::Limits::session, &smtpd::Limits::idle}) {
        auto c = config_with(20, 0, 60000ms);
        c.limits.*deadline = 1s;
        auto r = session("BOGUS\r\nQUIT\r\n", c);
        EXPECT_GE(r.took, 900ms);
        EXPECT_LT(r.took, 5000ms);
    }
}

TEST(SessionLimits, JunkCommandsPastTheLimitEndTheSessionWith421) {
    auto c = config_with(20, 10, 0ms);
    c.limits.max_junk = 3;
    auto r = session("EHLO c\r\nNOOP\r\nRSET\r\nVRFY x\r\nHELP\r\nNOOP\r\nQUIT\r\n", c);
    EXPECT_EQ(count(r.output, "250 2.0.0 Ok\r\n"), 2);
    EXPECT_EQ(count(r.output, "252 2.5.0"), 1);
    EXPECT_EQ(count(r.output, "214 2.0.0"), 0);
    EXPECT_EQ(count(r.output, "421 4.7.0 too many commands that do nothing, closing connection\r\n"), 1);
    EXPECT_EQ(count(r.output, "221"), 0);
}

TEST(SessionLimits, AHundredNoopsAreAnsweredAndTheNextOneEndsTheSession) {
    smtpd::Config c;
    auto r = session(repeat("NOOP\r\n", 20000), c);
    EXPECT_EQ(count(r.output, "250 2.0.0 Ok\r\n"), 100);
    EXPECT_EQ(count(r.output, "421 4.7.0"), 1);
    EXPECT_EQ(r.output.substr(r.output.size() - 2), "\r\n");
}
