#include "deliver/lmtp_server.hpp"

#include <gtest/gtest.h>

#include "deliver_test_util.hpp"
#include "fake_stream.hpp"

using namespace orou::deliver;
using orou::test::slurp;

namespace {

const std::string kStart = "LHLO client.example\r\nMAIL FROM:<a@x.example>\r\n";

struct Lmtp {
    orou::test::TempDir tmp;
    orou::test::FailingWriter writer;
    FileStore store{StoreConfig{Layout::Mbox, tmp.path(), "mx.test", LockTimes{std::chrono::seconds(0)}}, writer};
    orou::log::Logger log{"test", "NONE", orou::log::Level::Error};
    orou::lmtp::Limits config{
        .hostname = "mx.test", .max_message = 1000, .max_line = 200, .max_text_line = 250, .max_rcpts = 3};

    // The reply lines of a whole session fed `input` (in small chunks).
    std::vector<std::string> run(const std::string& input) {
        orou::test::FakeStream stream(input, 7);
        LmtpServer(stream, store, log, config).run();
        std::vector<std::string> lines;
        std::string_view out = stream.output;
        for (auto end = out.find("\r\n"); end != std::string_view::npos; end = out.find("\r\n")) {
            lines.emplace_back(out.substr(0, end));
            out.remove_prefix(end + 2);
        }
        EXPECT_TRUE(out.empty()) << "a reply without CRLF";
        return lines;
    }
    // The replies after the greeting and the LHLO reply (7 lines).
    std::vector<std::string> after_lhlo(const std::string& input) {
        auto lines = run(input);
        lines.erase(lines.begin(), lines.begin() + std::min<std::size_t>(lines.size(), 7));
        return lines;
    }
    std::string inbox(const char* who) { return slurp(tmp.file(std::string(who) + "/INBOX")); }
};

using Lines = std::vector<std::string>;

}  // namespace

TEST(Lmtp, GreetsWithTheHostNameAndLmtp) {
    Lmtp t;
    EXPECT_EQ(t.run("QUIT\r\n"), (Lines{"220 mx.test LMTP orouboros-mbox-deliver", "221 2.0.0 bye"}));
}

TEST(Lmtp, LhloAnnouncesPipeliningEnhancedStatusCodes8BitMimeAndSize) {
    Lmtp t;
    EXPECT_EQ(t.run("LHLO client.example\r\n"),
              (Lines{"220 mx.test LMTP orouboros-mbox-deliver", "250-mx.test", "250-PIPELINING",
                     "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-XLOOP", "250 SIZE 1000"}));
}

TEST(Lmtp, DataGetsOneReplyPerAcceptedRecipientInOrder) {
    Lmtp t;
    auto lines = t.after_lhlo(kStart +
                              "RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\n"
                              "DATA\r\nSubject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(lines, (Lines{"250 2.1.0 sender ok", "250 2.1.5 recipient ok", "250 2.1.5 recipient ok",
                            "354 end data with <CR><LF>.<CR><LF>", "250 2.0.0 <bob@h.example> delivered",
                            "250 2.0.0 <carol@h.example> delivered", "221 2.0.0 bye"}));
    EXPECT_NE(t.inbox("bob").find("Delivered-To: bob@h.example\nSubject: x\n\n.dot\n\n"), std::string::npos);
    EXPECT_NE(t.inbox("carol").find("Return-Path: <a@x.example>\n"), std::string::npos);
}

TEST(Lmtp, ABadLocalPartIsRefusedAtRcptWith550AndTheOthersStillGetTheMessage) {
    Lmtp t;
    auto lines = t.after_lhlo(kStart + "RCPT TO:<../evil@h.example>\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nx\r\n.\r\n");
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[1].rfind("550 5.1.3 <../evil@h.example> refused", 0), 0u) << lines[1];
    EXPECT_EQ(lines[4], "250 2.0.0 <bob@h.example> delivered");
    EXPECT_EQ(orou::test::count_files(t.tmp.path()), 1u);
}

TEST(Lmtp, AQuotedLocalPartIsRefusedAtRcpt) {
    Lmtp t;
    auto lines = t.after_lhlo(kStart + "RCPT TO:<\"a b\"@h.example>\r\n");
    EXPECT_EQ(lines.at(1).rfind("550 5.1.3 ", 0), 0u) << lines.at(1);
}

TEST(Lmtp, CommandsOutOfSequenceAre503) {
    Lmtp t;
    EXPECT_EQ(t.run("MAIL FROM:<a@x.example>\r\nLHLO c\r\nRCPT TO:<bob@h.example>\r\nDATA\r\n"
                    "MAIL FROM:<a@x.example>\r\nDATA\r\nMAIL FROM:<b@x.example>\r\n")
                  .back(),
              "503 5.5.1 sender already given");
    Lmtp u;
    auto lines = u.after_lhlo("LHLO c\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nMAIL FROM:<a@x.example>\r\nDATA\r\n");
    EXPECT_EQ(lines, (Lines{"503 5.5.1 send MAIL first", "503 5.5.1 send MAIL first", "250 2.1.0 sender ok",
                            "503 5.5.1 no valid recipients"}));
    Lmtp v;
    EXPECT_EQ(v.run("MAIL FROM:<a@x.example>\r\n").back(), "503 5.5.1 send LHLO first");
}

TEST(Lmtp, UnknownCommandsAndEhloAre500) {
    Lmtp t;
    EXPECT_EQ(t.run("EHLO c\r\nVRFY bob\r\n"),
              (Lines{"220 mx.test LMTP orouboros-mbox-deliver", "500 5.5.1 command not recognized",
                     "500 5.5.1 command not recognized"}));
}

TEST(Lmtp, SeveralTransactionsInOneSessionAreDelivered) {
    Lmtp t;
    const std::string tx = "MAIL FROM:<a@x.example>\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nSubject: x\r\n.\r\n";
    auto lines = t.after_lhlo("LHLO c\r\n" + tx + tx + tx);
    EXPECT_EQ(std::count(lines.begin(), lines.end(), "250 2.0.0 <bob@h.example> delivered"), 3);
    const std::string mbox = t.inbox("bob");
    std::size_t entries = 0;
    for (auto at = mbox.find("From a@x.example "); at != std::string::npos;
         at = mbox.find("\nFrom a@x.example ", at + 1))
        ++entries;
    EXPECT_EQ(entries, 3u);
}

TEST(Lmtp, AMessageLineMayBeLongerThanACommandLine) {
    Lmtp t;
    const std::string line(240, 'x');
    auto lines = t.after_lhlo(kStart + "RCPT TO:<bob@h.example>\r\nDATA\r\n" + line + "\r\n.\r\n");
    EXPECT_EQ(lines.back(), "250 2.0.0 <bob@h.example> delivered");
    EXPECT_NE(t.inbox("bob").find("\n" + line + "\n"), std::string::npos);
}

TEST(Lmtp, RsetForgetsTheTransaction) {
    Lmtp t;
    auto lines = t.after_lhlo(kStart + "RCPT TO:<bob@h.example>\r\nRSET\r\nDATA\r\nNOOP\r\n");
    EXPECT_EQ(lines, (Lines{"250 2.1.0 sender ok", "250 2.1.5 recipient ok", "250 2.0.0 ok",
                            "503 5.5.1 send MAIL first", "250 2.0.0 ok"}));
}

TEST(Lmtp, TheNullSenderAndSizeAndBodyParametersAreAccepted) {
    Lmtp t;
    auto lines =
        t.after_lhlo("LHLO c\r\nMAIL FROM:<> SIZE=123 BODY=8BITMIME\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nx\r\n.\r\n");
    EXPECT_EQ(lines.front(), "250 2.1.0 sender ok");
    EXPECT_EQ(lines.back(), "250 2.0.0 <bob@h.example> delivered");
    EXPECT_EQ(t.inbox("bob").rfind("From MAILER-DAEMON ", 0), 0u);
}

TEST(Lmtp, ADeclaredSizeOverTheLimitIs552AndUnknownParametersAre555) {
    Lmtp t;
    auto lines = t.after_lhlo(
        "LHLO c\r\nMAIL FROM:<a@x.example> SIZE=1001\r\nMAIL FROM:<a@x.example> SMTPUTF8\r\n"
        "MAIL FROM:<a@x.example> BODY=BINARYMIME\r\nMAIL FROM:<a@x.example>\r\n"
        "RCPT TO:<bob@h.example> NOTIFY=NEVER\r\n");
    EXPECT_EQ(lines, (Lines{"552 5.3.4 message size exceeds the fixed limit", "555 5.5.4 parameter not recognized",
                            "501 5.5.4 syntax error in parameters", "250 2.1.0 sender ok",
                            "555 5.5.4 parameter not recognized"}));
}

TEST(Lmtp, TooManyRecipientsAre452) {
    Lmtp t;
    auto lines = t.after_lhlo(kStart +
                              "RCPT TO:<a@h.example>\r\nRCPT TO:<b@h.example>\r\nRCPT TO:<c@h.example>\r\n"
                              "RCPT TO:<d@h.example>\r\n");
    EXPECT_EQ(lines.back(), "452 4.5.3 too many recipients");
}

class SmuggledData : public testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(SmuggledData, IsRefusedForEveryRecipientAndStoredNowhere) {
    Lmtp t;
    auto [body, reply] = GetParam();
    auto lines = t.after_lhlo(kStart + "RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\nDATA\r\n" + body +
                              "\r\n.\r\nNOOP\r\n");
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[4], reply);
    EXPECT_EQ(lines[5], reply);
    EXPECT_EQ(lines[6], "250 2.0.0 ok");
    EXPECT_EQ(orou::test::count_files(t.tmp.path()), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Lmtp, SmuggledData,
    testing::Values(std::pair{std::string("a\n.\nMAIL FROM:<evil@x>\r\nRCPT TO:<bob@h.example>\r\nDATA\r\nevil"),
                              std::string("554 5.6.0 bare CR or LF in the message (RFC 5321 2.3.8)")},
                    std::pair{std::string("a\r.\rMAIL FROM:<evil@x>"),
                              std::string("554 5.6.0 bare CR or LF in the message (RFC 5321 2.3.8)")},
                    std::pair{std::string("a\r\n.\nRSET"),
                              std::string("554 5.6.0 bare CR or LF in the message (RFC 5321 2.3.8)")},
                    std::pair{std::string("nul \0 byte", 10), std::string("554 5.6.0 NUL byte in the message")},
                    std::pair{std::string(300, 'x'), std::string("554 5.6.0 line too long in the message")},
                    std::pair{std::string(150, 'x') + "\r\n" + std::string(150, 'y') + "\r\n" + std::string(150, 'z') +
                                  "\r\n" + std::string(150, 'w') + "\r\n" + std::string(150, 'v') + "\r\n" +
                                  std::string(150, 'u') + "\r\n" + std::string(150, 't'),
                              std::string("552 5.3.4 message too big")}));

TEST(Lmtp, ATemporaryFailureIs451ForThatRecipientOnly) {
    Lmtp t;
    t.tmp.write("bob", "a file where a directory should be");
    auto lines = t.after_lhlo(kStart + "RCPT TO:<bob@h.example>\r\nRCPT TO:<carol@h.example>\r\nDATA\r\nx\r\n.\r\n");
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[4], "451 4.3.0 <bob@h.example> mailbox temporarily unavailable");
    EXPECT_EQ(lines[5], "250 2.0.0 <carol@h.example> delivered");
}

TEST(Lmtp, AFullDiskIs452AndTheMboxIsRolledBack) {
    Lmtp t;
    const std::string tx = kStart + "RCPT TO:<bob@h.example>\r\nDATA\r\nSubject: x\r\n.\r\n";
    (void)t.run(tx);
    const std::string before = t.inbox("bob");
    t.writer.budget = 20;
    auto lines = t.run(tx);
    EXPECT_EQ(lines.back(), "452 4.3.1 <bob@h.example> insufficient system storage");
    EXPECT_EQ(t.inbox("bob"), before);
}

TEST(Lmtp, BadCommandLinesAre500) {
    Lmtp t;
    auto lines = t.run(std::string("NOOP\nNO\0OP\r\n", 12) + std::string(300, 'x') + "\r\nNOOP\r\n");
    EXPECT_EQ(lines,
              (Lines{"220 mx.test LMTP orouboros-mbox-deliver", "500 5.5.2 bare CR or LF, or NUL, in a command",
                     "500 5.5.2 bare CR or LF, or NUL, in a command", "500 5.5.2 line too long", "250 2.0.0 ok"}));
}

TEST(Lmtp, TooManyErrorsEndTheSessionWith421) {
    Lmtp t;
    t.config.max_errors = 3;
    auto lines = t.run("X\r\nX\r\nX\r\nNOOP\r\n");
    EXPECT_EQ(lines.back(), "421 4.7.0 too many errors, closing");
    EXPECT_EQ(lines.size(), 5u);
}

TEST(Lmtp, AnIdlePeerGets421AndTheSessionEnds) {
    class Silent final : public orou::io::Stream {
    public:
        orou::io::ReadResult read(std::span<char>, orou::io::Deadline) override {
            return {orou::io::ReadStatus::Timeout};
        }
        void write(std::string_view data) override { output += data; }
        std::string output;
    } silent;
    Lmtp t;
    LmtpServer(silent, t.store, t.log, t.config).run();
    EXPECT_EQ(silent.output, "220 mx.test LMTP orouboros-mbox-deliver\r\n421 4.4.2 timeout, closing\r\n");
}

TEST(Lmtp, EndOfInputInsideDataStoresNothing) {
    Lmtp t;
    auto lines = t.after_lhlo(kStart + "RCPT TO:<bob@h.example>\r\nDATA\r\nSubject: x\r\n");
    EXPECT_EQ(lines.back(), "354 end data with <CR><LF>.<CR><LF>");
    EXPECT_EQ(orou::test::count_files(t.tmp.path()), 0u);
}

TEST(Lmtp, AClientGoneBeforeTheFinalDotLeavesNoMailboxAndNoSpoolFile) {
    Lmtp t;
    (void)t.run(kStart + "RCPT TO:<bob@home.example>\r\nDATA\r\nSubject: half\r\n\r\nand then the line drops");
    EXPECT_FALSE(std::filesystem::exists(t.tmp.file("bob/INBOX")));
    for (const auto& e : std::filesystem::directory_iterator(t.tmp.path()))
        ADD_FAILURE() << "left behind: " << e.path();
}

TEST(Lmtp, FiftyOneReceivedHeadersAreAMailLoopRefusedWith554ForEachRecipient) {
    Lmtp t;
    t.config.max_message = 100000;
    std::string loop;
    for (int i = 0; i < 51; ++i) loop += "Received: from a by b; date\r\n";
    auto lines = t.after_lhlo(kStart + "RCPT TO:<bob@home.example>\r\nRCPT TO:<carol@home.example>\r\nDATA\r\n" + loop +
                              "\r\nhi\r\n.\r\n");
    EXPECT_EQ(lines.at(4), "554 5.4.6 too many hops (Received: headers), mail loop?");
    EXPECT_EQ(lines.at(5), "554 5.4.6 too many hops (Received: headers), mail loop?");
    EXPECT_FALSE(std::filesystem::exists(t.tmp.file("bob/INBOX")));
    EXPECT_FALSE(std::filesystem::exists(t.tmp.file("carol/INBOX")));
}

TEST(Lmtp, ABodyParameterInLowerCaseIsTakenAsSmtpdTakesIt) {
    Lmtp t;
    auto lines = t.after_lhlo("LHLO c\r\nMAIL FROM:<a@x.example> BODY=8bitmime\r\n");
    EXPECT_EQ(lines.at(0), "250 2.1.0 sender ok");
}
