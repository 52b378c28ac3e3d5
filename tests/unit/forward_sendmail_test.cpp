// The sendmail convention of orouboros-forward: every recipient accepted
// before DATA, one session per domain with --mx, and the upstream's reply
// as the exit status.
#include "forward/sendmail_mode.hpp"

#include <gtest/gtest.h>
#include <sysexits.h>

#include "base/error.hpp"
#include "fake_stream.hpp"
#include "forward/exit_status.hpp"
#include "forward_fakes.hpp"

using namespace orou::forward;
using orou::smtp::Reply;
using orou::test::FakeConnector;
using orou::test::Script;

namespace {

using Lines = std::vector<std::string>;

struct Sendmail {
    Script script;
    orou::log::Logger log{"test", "NONE", orou::log::Level::Error};

    // The exit status of forwarding `message` (the status of an ExitError).
    int run(const std::string& message, std::vector<std::string> rcpts, bool one_domain = false,
            std::string sender = "a@x.example") {
        FakeConnector connector(script, one_domain);
        orou::test::FakeStream in(message);
        const orou::io::Timer timer{std::chrono::seconds(5), orou::io::Clock::now() + std::chrono::seconds(5)};
        try {
            return forward_from_stream(connector, log, {std::move(sender), std::move(rcpts), 1000}, in, timer);
        } catch (const orou::ExitError& e) {
            return e.status();
        }
    }
};

}  // namespace

TEST(ForwardSendmail, AllRecipientsOfAFixedUpstreamGoInOneTransaction) {
    Sendmail t;
    EXPECT_EQ(t.run("Subject: t\n\nhi\n", {"b@one.example", "<c@two.example>"}), EX_OK);
    EXPECT_EQ(t.script.transcript, (Lines{"OPEN one.example <a@x.example> SIZE=18", "RCPT b@one.example",
                                          "RCPT c@two.example", "DATA Subject: t\r\n\r\nhi\r\n", "QUIT"}));
}

TEST(ForwardSendmail, WithMxEachDomainHasItsOwnSessionAllAcceptedBeforeAnyData) {
    Sendmail t;
    EXPECT_EQ(t.run("x\n", {"b@one.example", "c@two.example", "d@one.example"}, true), EX_OK);
    EXPECT_EQ(t.script.transcript, (Lines{"OPEN one.example <a@x.example> SIZE=3", "RCPT b@one.example",
                                          "RCPT d@one.example", "OPEN two.example <a@x.example> SIZE=3",
                                          "RCPT c@two.example", "DATA x\r\n", "DATA x\r\n", "QUIT", "QUIT"}));
}

TEST(ForwardSendmail, AnUnknownUserRefusedAtRcptIs67AndNoMessageIsSent) {
    Sendmail t;
    t.script.rcpt_replies["nobody@home.example"] = {550, "5.1.1", "user unknown"};
    EXPECT_EQ(t.run("x\n", {"bob@home.example", "nobody@home.example"}), EX_NOUSER);
    EXPECT_EQ(t.script.transcript, (Lines{"OPEN home.example <a@x.example> SIZE=3", "RCPT bob@home.example",
                                          "RCPT nobody@home.example", "QUIT"}));
}

TEST(ForwardSendmail, ATemporaryRefusalAtRcptIs75) {
    Sendmail t;
    t.script.rcpt_replies["b@home.example"] = {450, "4.2.1", "try later"};
    EXPECT_EQ(t.run("x\n", {"b@home.example"}), EX_TEMPFAIL);
}

TEST(ForwardSendmail, NoSessionIsTheStatusOfItsReason) {
    Sendmail t;
    t.script.open_failure = Reply{556, "5.1.10", "null MX"};
    EXPECT_EQ(t.run("x\n", {"b@null.example"}, true), EX_NOHOST);
    t.script.open_failure = Reply{451, "4.4.1", "connection refused"};
    EXPECT_EQ(t.run("x\n", {"b@home.example"}), EX_TEMPFAIL);
}

TEST(ForwardSendmail, ARefusalAfterDataIs69AndATemporaryOneIs75) {
    Sendmail t;
    t.script.data_reply = {554, "5.6.0", "message refused"};
    EXPECT_EQ(t.run("x\n", {"b@home.example"}), EX_UNAVAILABLE);
    t.script.data_reply = {451, "4.3.0", "disk trouble"};
    EXPECT_EQ(t.run("x\n", {"b@home.example"}), EX_TEMPFAIL);
}

TEST(ForwardSendmail, EightBitMessagesAreDeclaredAndTheNullSenderIsKept) {
    Sendmail t;
    EXPECT_EQ(t.run("caf\xc3\xa9\n", {"b@home.example"}, false, "<>"), EX_OK);
    EXPECT_EQ(t.script.transcript.front(), "OPEN home.example <> 8BITMIME SIZE=7");
}

TEST(ForwardSendmail, BadAddressesAreUsageErrorsBeforeAnythingIsSent) {
    Sendmail t;
    EXPECT_EQ(t.run("x\n", {"not an address"}), EX_USAGE);
    EXPECT_EQ(t.run("x\n", {"b@home.example"}, false, "a b@x.example"), EX_USAGE);
    EXPECT_TRUE(t.script.transcript.empty());
}

TEST(ForwardSendmail, AMessageOverTheLimitIs65) {
    Sendmail t;
    EXPECT_EQ(t.run(std::string(2000, 'x'), {"b@home.example"}), EX_DATAERR);
    EXPECT_TRUE(t.script.transcript.empty());
}

TEST(ForwardExitStatus, UpstreamRepliesMapToSysexits) {
    EXPECT_EQ(exit_for_upstream({250, "2.0.0", ""}), EX_OK);
    EXPECT_EQ(exit_for_upstream({421, "4.3.2", ""}), EX_TEMPFAIL);
    EXPECT_EQ(exit_for_upstream({451, "", ""}), EX_TEMPFAIL);
    EXPECT_EQ(exit_for_upstream({550, "5.1.1", ""}), EX_NOUSER);
    EXPECT_EQ(exit_for_upstream({550, "5.1.2", ""}), EX_NOHOST);
    EXPECT_EQ(exit_for_upstream({556, "5.1.10", ""}), EX_NOHOST);
    EXPECT_EQ(exit_for_upstream({550, "5.1.3", ""}), EX_UNAVAILABLE);
    EXPECT_EQ(exit_for_upstream({554, "5.7.1", ""}), EX_UNAVAILABLE);
    EXPECT_EQ(exit_for_upstream({550, "", ""}), EX_UNAVAILABLE);
}
