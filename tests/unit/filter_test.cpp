// The LMTP filter core (filter/filter.hpp): the transaction goes on to the
// next stage as it arrives, the message through the Filter, and the
// client hears the next stage's replies, per recipient.
#include <gtest/gtest.h>

#include <csignal>

#include "auth_temp_dir.hpp"
#include "fake_lmtp_stage.hpp"
#include "fake_stream.hpp"
#include "filter/server.hpp"

namespace {

using namespace orou;
using Lines = std::vector<std::string>;

const std::string kXforward = "250-XFORWARD NAME ADDR PROTO HELO IDENT\r\n250-XLOOP\r\n";

// Records what it was given; answers with the verdict the test set.
class RecordingFilter final : public filter::Filter {
public:
    filter::Verdict check(const filter::Envelope& envelope, const smtp::MessageSource& message) override {
        seen = envelope;
        smtp::StringSink sink;
        message.lines([&](std::string_view line) { sink.line(line); });
        text = sink.text;
        return verdict;
    }
    filter::Verdict verdict;
    std::optional<filter::Envelope> seen;
    std::string text;
};

class FilterServer : public ::testing::Test {
protected:
    void SetUp() override { old_ = std::signal(SIGPIPE, SIG_IGN); }
    void TearDown() override { std::signal(SIGPIPE, old_); }

    // The reply lines of a whole session fed `input`, after the greeting
    // and the LHLO reply.
    Lines run(const std::string& input) {
        filter::Config config{.program = "test-filter", .next = "unix:" + sock(), .session = {}, .hop = {}};
        config.session.hostname = "filter.test";
        test::FakeStream stream("LHLO smtpd.test\r\n" + input);
        log::Logger log("test", "NONE", log::Level::Error);
        filter::Server(stream, log, config, filter).run();
        Lines lines;
        std::string_view out = stream.output;
        for (auto end = out.find("\r\n"); end != std::string_view::npos; end = out.find("\r\n")) {
            if (!out.starts_with("220 ") && !out.starts_with("250-") && !out.starts_with("250 SIZE"))
                lines.emplace_back(out.substr(0, end));
            out.remove_prefix(end + 2);
        }
        return lines;
    }
    std::string sock() const { return dir_.file("next.sock"); }

    test::TempDir dir_;
    RecordingFilter filter;

private:
    void (*old_)(int) = SIG_DFL;
};

const std::string kMessage =
    "Received: by smtpd.test\r\nX-Secret: drop me\r\n\tfolded too\r\nSubject: hi\r\n\r\n"
    "X-Secret: body line\r\n..dot\r\n.\r\n";
const std::string kTwoRcpts =
    "MAIL FROM:<a@x.example> AUTH=alice+2Bwork\r\nRCPT TO:<b@y.example>\r\n"
    "RCPT TO:<c@y.example>\r\nDATA\r\n";

bool has(const Lines& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_F(FilterServer, LhloOffersXforward) {
    test::FakeStream stream("LHLO smtpd.test\r\nQUIT\r\n");
    filter::Config config{.program = "test-filter", .next = "unix:" + sock(), .session = {}, .hop = {}};
    log::Logger log("test", "NONE", log::Level::Error);
    filter::Server(stream, log, config, filter).run();
    EXPECT_NE(stream.output.find("\r\n250-XFORWARD NAME ADDR PROTO HELO IDENT\r\n"), std::string::npos)
        << stream.output;
}

TEST_F(FilterServer, PrependsHeadersDropsFieldsAndPassesTheRestUnchanged) {
    test::FakeLmtpStage next(sock(), kXforward, {});
    filter.verdict.prepend = "X-Added: one\r\n\ttwo\r\n";
    filter.verdict.drop = [](std::string_view name) { return name == "X-Secret"; };
    auto replies = run(kTwoRcpts + kMessage + "QUIT\r\n");
    EXPECT_EQ(replies, (Lines{"250 2.0.0 ok", "250 2.0.0 ok", "250 2.0.0 ok", "354 end data with <CR><LF>.<CR><LF>",
                              "250 2.0.0 ok", "250 2.0.0 ok", "221 2.0.0 bye"}));
    const Lines& sent = next.lines();
    const auto data = std::find(sent.begin(), sent.end(), "DATA");
    ASSERT_NE(data, sent.end());
    EXPECT_EQ(Lines(data + 1, sent.end() - 1), (Lines{"X-Added: one", "\ttwo", "Received: by smtpd.test", "Subject: hi",
                                                      "", "X-Secret: body line", "..dot", "."}));
    EXPECT_EQ(filter.text,
              "Received: by smtpd.test\r\nX-Secret: drop me\r\n\tfolded too\r\nSubject: hi\r\n\r\n"
              "X-Secret: body line\r\n.dot\r\n");
}

TEST_F(FilterServer, TheNextStagesRepliesReachTheClientPerRecipientInOrder) {
    test::FakeLmtpStage next(sock(), "", {{".", "250 2.1.5 b delivered\r\n452 4.2.2 c is full\r\n"}});
    auto replies = run(kTwoRcpts + kMessage + "QUIT\r\n");
    EXPECT_EQ(Lines(replies.begin() + 3, replies.end()),
              (Lines{"354 end data with <CR><LF>.<CR><LF>", "250 2.1.5 b delivered", "452 4.2.2 c is full",
                     "221 2.0.0 bye"}));
}

TEST_F(FilterServer, ARecipientTheNextStageRefusesIsRefusedAtRcptTime) {
    test::FakeLmtpStage next(sock(), "", {{"RCPT", "550 5.1.1 no such user\r\n"}});
    auto replies = run("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nQUIT\r\n");
    EXPECT_EQ(replies, (Lines{"250 2.0.0 ok", "550 5.1.1 no such user", "221 2.0.0 bye"}));
}

TEST_F(FilterServer, ARefusalAnswersEveryRecipientAndNothingGoesOn) {
    test::FakeLmtpStage next(sock(), "", {});
    filter.verdict.refusal = smtp::Reply{550, "5.7.1", "not for us"};
    auto replies = run(kTwoRcpts + kMessage + "QUIT\r\n");
    EXPECT_EQ(Lines(replies.begin() + 4, replies.end()),
              (Lines{"550 5.7.1 not for us", "550 5.7.1 not for us", "221 2.0.0 bye"}));
    const Lines& sent = next.lines();
    EXPECT_FALSE(has(sent, "DATA"));
    EXPECT_TRUE(has(sent, "RSET"));
}

TEST_F(FilterServer, TheFilterSeesTheLoginAndTheClientsFactsAndTheNextStageGetsThem) {
    test::FakeLmtpStage next(sock(), kXforward, {});
    auto replies = run("XFORWARD ADDR=192.0.2.7 HELO=client+20name\r\nXFORWARD PROTO=ESMTP IDENT=abc\r\n" + kTwoRcpts +
                       kMessage + "QUIT\r\n");
    ASSERT_TRUE(filter.seen);
    EXPECT_EQ(filter.seen->auth, "alice+work");
    EXPECT_EQ(filter.seen->sender, "a@x.example");
    EXPECT_EQ(filter.seen->rcpts, (Lines{"b@y.example", "c@y.example"}));
    EXPECT_EQ(filter.seen->client, (smtp::ClientFacts{"", "192.0.2.7", "client name", "ESMTP", "abc"}));
    const Lines& sent = next.lines();
    EXPECT_TRUE(has(sent, "XFORWARD ADDR=192.0.2.7 PROTO=ESMTP HELO=client+20name IDENT=abc")) << sent[1];
    EXPECT_TRUE(has(sent, "MAIL FROM:<a@x.example> AUTH=alice+2Bwork"));
}

TEST_F(FilterServer, ANextStageWithoutXforwardGetsNoFactsAndNoLogin) {
    test::FakeLmtpStage next(sock(), "", {});
    auto replies = run("XFORWARD ADDR=192.0.2.7\r\n" + kTwoRcpts + kMessage + "QUIT\r\n");
    ASSERT_TRUE(filter.seen);
    EXPECT_EQ(filter.seen->client.addr, "192.0.2.7");
    const Lines& sent = next.lines();
    EXPECT_EQ(sent[1], "MAIL FROM:<a@x.example>");
}

TEST_F(FilterServer, WithoutAuthTheFilterSeesNoLogin) {
    test::FakeLmtpStage next(sock(), kXforward, {});
    auto replies = run("MAIL FROM:<a@x.example> AUTH=<>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n" + kMessage + "QUIT\r\n");
    ASSERT_TRUE(filter.seen);
    EXPECT_EQ(filter.seen->auth, "");
    EXPECT_TRUE(has(next.lines(), "MAIL FROM:<a@x.example>"));
}

TEST_F(FilterServer, ANextStageNobodyListensOnIs451AtMail) {
    auto replies = run("MAIL FROM:<a@x.example>\r\nQUIT\r\n");
    EXPECT_EQ(replies, (Lines{"451 4.4.1 next hop unavailable, try again later", "221 2.0.0 bye"}));
}

TEST_F(FilterServer, XforwardWithAnUnknownAttributeIs501) {
    test::FakeLmtpStage next(sock(), "", {});
    auto replies = run("XFORWARD COLOUR=red\r\nXFORWARD ADDR=+zz\r\nMAIL FROM:<a@x.example>\r\nQUIT\r\n");
    EXPECT_EQ(replies, (Lines{"501 5.5.4 syntax error in parameters", "501 5.5.4 syntax error in parameters",
                              "250 2.0.0 ok", "221 2.0.0 bye"}));
}

TEST(Xforward, ArgumentsAreXtextAndLeaveOutWhatIsNotKnown) {
    smtp::ClientFacts f{"", "192.0.2.1", "a=b c", "ESMTP", ""};
    EXPECT_EQ(smtp::xforward_args(f), (Lines{"ADDR=192.0.2.1 PROTO=ESMTP HELO=a+3Db+20c"}));
    smtp::ClientFacts back;
    ASSERT_TRUE(smtp::take_xforward("ADDR=192.0.2.1 PROTO=ESMTP HELO=a+3Db+20c NAME=[UNAVAILABLE]", back));
    EXPECT_EQ(back, f);
}
