// The LMTP front end of orouboros-forward, driven through a FakeStream with
// a fake upstream behind the Connector: each RCPT hears the upstream's own
// verdict, DATA its one reply once per accepted recipient.
#include "forward/lmtp_front.hpp"

#include <gtest/gtest.h>

#include "fake_stream.hpp"
#include "forward_fakes.hpp"

using namespace orou::forward;
using orou::test::FakeConnector;
using orou::test::Script;

namespace {

using Lines = std::vector<std::string>;

const std::string kStart = "LHLO vps.example\r\nMAIL FROM:<a@x.example>\r\n";

struct Front {
    Script script;
    bool one_domain = false;
    orou::log::Logger log{"test", "NONE", orou::log::Level::Error};
    orou::lmtp::Limits config{.hostname = "fwd.test", .max_message = 1000, .max_rcpts = 3};

    // The reply lines of a whole session fed `input` (in small chunks).
    Lines run(const std::string& input) {
        orou::test::FakeStream stream(input, 7);
        FakeConnector connector(script, one_domain);
        LmtpFront(stream, connector, log, config).run();
        Lines lines;
        std::string_view out = stream.output;
        for (auto end = out.find("\r\n"); end != std::string_view::npos; end = out.find("\r\n")) {
            lines.emplace_back(out.substr(0, end));
            out.remove_prefix(end + 2);
        }
        EXPECT_TRUE(out.empty()) << "a reply without CRLF";
        return lines;
    }
    // The replies after the greeting, the LHLO reply (6 lines) and MAIL's.
    Lines after_mail(const std::string& input) {
        Lines lines = run(kStart + input);
        lines.erase(lines.begin(), lines.begin() + std::min<std::size_t>(lines.size(), 8));
        return lines;
    }
};

}  // namespace

TEST(ForwardLmtp, GreetsAndAnnouncesPipeliningEnhancedStatusCodes8BitMimeAndSize) {
    Front t;
    EXPECT_EQ(t.run("LHLO vps.example\r\nQUIT\r\n"),
              (Lines{"220 fwd.test LMTP orouboros-forward", "250-fwd.test", "250-PIPELINING", "250-ENHANCEDSTATUSCODES",
                     "250-8BITMIME", "250-XLOOP", "250 SIZE 1000", "221 2.0.0 bye"}));
}

TEST(ForwardLmtp, MailAloneOpensNoUpstreamSession) {
    Front t;
    EXPECT_EQ(t.after_mail("QUIT\r\n"), (Lines{"221 2.0.0 bye"}));
    EXPECT_TRUE(t.script.transcript.empty());
}

TEST(ForwardLmtp, EachRcptGetsTheUpstreamsOwnReplyUnreworded) {
    Front t;
    t.script.rcpt_replies["nobody@home.example"] = {550, "5.1.1", "<nobody@home.example>: user unknown here"};
    t.script.rcpt_replies["full@home.example"] = {452, "4.2.2", "mailbox full\nreally"};
    EXPECT_EQ(t.after_mail("RCPT TO:<bob@home.example>\r\nRCPT TO:<nobody@home.example>\r\n"
                           "RCPT TO:<full@home.example>\r\n"),
              (Lines{"250 2.1.5 ok", "550 5.1.1 <nobody@home.example>: user unknown here", "452-4.2.2 mailbox full",
                     "452 4.2.2 really"}));
    EXPECT_EQ(t.script.transcript, (Lines{"OPEN home.example <a@x.example>", "RCPT bob@home.example",
                                          "RCPT nobody@home.example", "RCPT full@home.example", "QUIT"}));
}

TEST(ForwardLmtp, DataGetsTheUpstreamsOneReplyOncePerAcceptedRecipient) {
    Front t;
    t.script.rcpt_replies["nobody@home.example"] = {550, "5.1.1", "unknown"};
    t.script.data_reply = {250, "2.0.0", "queued as 4711"};
    EXPECT_EQ(t.after_mail("RCPT TO:<b@home.example>\r\nRCPT TO:<nobody@home.example>\r\nRCPT TO:<c@home.example>\r\n"
                           "DATA\r\nSubject: t\r\n\r\n..dot\r\n.\r\nQUIT\r\n"),
              (Lines{"250 2.1.5 ok", "550 5.1.1 unknown", "250 2.1.5 ok", "354 end data with <CR><LF>.<CR><LF>",
                     "250 2.0.0 queued as 4711", "250 2.0.0 queued as 4711", "221 2.0.0 bye"}));
    EXPECT_EQ(t.script.transcript.at(4), "DATA Subject: t\r\n\r\n.dot\r\n");
    EXPECT_EQ(t.script.transcript.back(), "QUIT");
}

TEST(ForwardLmtp, AnUpstreamRefusalAfterDataIsEveryRecipientsReply) {
    Front t;
    t.script.data_reply = {554, "5.7.1", "spam"};
    EXPECT_EQ(t.after_mail("RCPT TO:<b@home.example>\r\nRCPT TO:<c@home.example>\r\nDATA\r\nx\r\n.\r\n"),
              (Lines{"250 2.1.5 ok", "250 2.1.5 ok", "354 end data with <CR><LF>.<CR><LF>", "554 5.7.1 spam",
                     "554 5.7.1 spam"}));
}

TEST(ForwardLmtp, AFailureToReachTheUpstreamIsTheReplyToEveryRcptAndDataNeedsOne) {
    Front t;
    t.script.open_failure = orou::smtp::Reply{451, "4.4.1", "cannot connect"};
    EXPECT_EQ(t.after_mail("RCPT TO:<b@home.example>\r\nRCPT TO:<c@home.example>\r\nDATA\r\n"),
              (Lines{"451 4.4.1 cannot connect", "451 4.4.1 cannot connect", "503 5.5.1 no valid recipients"}));
    EXPECT_EQ(t.script.transcript, (Lines{"OPEN home.example <a@x.example>"})) << "opened once per transaction";
}

TEST(ForwardLmtp, WithMxARecipientOfAnotherDomainGets452_4_5_3) {
    Front t;
    t.one_domain = true;
    EXPECT_EQ(
        t.after_mail("RCPT TO:<b@one.example>\r\nRCPT TO:<c@two.example>\r\nRCPT TO:<d@ONE.example>\r\n"),
        (Lines{"250 2.1.5 ok", "452 4.5.3 recipient of another domain, send it in a new transaction", "250 2.1.5 ok"}));
    EXPECT_EQ(t.script.transcript,
              (Lines{"OPEN one.example <a@x.example>", "RCPT b@one.example", "RCPT d@one.example", "QUIT"}));
}

TEST(ForwardLmtp, WithAFixedUpstreamRecipientsOfManyDomainsShareOneSession) {
    Front t;
    EXPECT_EQ(t.after_mail("RCPT TO:<b@one.example>\r\nRCPT TO:<c@two.example>\r\n"),
              (Lines{"250 2.1.5 ok", "250 2.1.5 ok"}));
    EXPECT_EQ(t.script.transcript.front(), "OPEN one.example <a@x.example>");
    EXPECT_EQ(t.script.transcript.size(), 4u);
}

TEST(ForwardLmtp, RsetEndsTheUpstreamSessionAndTheNextTransactionOpensANewOne) {
    Front t;
    (void)t.after_mail("RCPT TO:<b@home.example>\r\nRSET\r\nMAIL FROM:<>\r\nRCPT TO:<c@home.example>\r\nQUIT\r\n");
    EXPECT_EQ(t.script.transcript, (Lines{"OPEN home.example <a@x.example>", "RCPT b@home.example", "QUIT",
                                          "OPEN home.example <>", "RCPT c@home.example", "QUIT"}));
}

TEST(ForwardLmtp, MailParametersReachTheUpstreamEnvelope) {
    Front t;
    (void)t.run("LHLO v\r\nMAIL FROM:<a@x.example> BODY=8BITMIME SIZE=100\r\nRCPT TO:<b@home.example>\r\n");
    EXPECT_EQ(t.script.transcript.front(), "OPEN home.example <a@x.example> 8BITMIME SIZE=100");
}

TEST(ForwardLmtp, ADeclaredSizeOverTheLimitOrAnUnknownParameterIsRefusedAtMail) {
    Front t;
    Lines lines = t.run("LHLO v\r\nMAIL FROM:<a@x.example> SIZE=1001\r\nMAIL FROM:<a@x.example> RET=FULL\r\n");
    EXPECT_EQ(lines.at(7), "552 5.3.4 message size exceeds the fixed limit");
    EXPECT_EQ(lines.at(8), "555 5.5.4 parameter not recognized");
}

TEST(ForwardLmtp, AMessageWithABareLfIsRefusedForEveryRecipientAndNeverSent) {
    Front t;
    EXPECT_EQ(t.after_mail("RCPT TO:<b@home.example>\r\nRCPT TO:<c@home.example>\r\nDATA\r\nbad\nline\r\n.\r\n"),
              (Lines{"250 2.1.5 ok", "250 2.1.5 ok", "354 end data with <CR><LF>.<CR><LF>",
                     "554 5.6.0 bare CR or LF in the message (RFC 5321 2.3.8)",
                     "554 5.6.0 bare CR or LF in the message (RFC 5321 2.3.8)"}));
    for (const auto& step : t.script.transcript) EXPECT_NE(step.rfind("DATA", 0), 0u) << step;
    EXPECT_EQ(t.script.transcript.back(), "ABANDON");  // closed without the final dot, not QUIT
}

TEST(ForwardLmtp, AMessageOverTheSizeLimitIsRefusedWith552) {
    Front t;
    Lines lines = t.after_mail("RCPT TO:<b@home.example>\r\nDATA\r\n" + std::string(1200, 'x') + "\r\n.\r\n");
    EXPECT_EQ(lines.back(), "552 5.3.4 message too big");
}

TEST(ForwardLmtp, CommandsOutOfOrderGet503AndRcptAfterTheLimitGets452) {
    Front t;
    EXPECT_EQ(t.run("MAIL FROM:<a@x.example>\r\n").back(), "503 5.5.1 send LHLO first");
    EXPECT_EQ(t.run("LHLO v\r\nRCPT TO:<b@home.example>\r\n").back(), "503 5.5.1 send MAIL first");
    Lines lines = t.after_mail(
        "RCPT TO:<a@h.example>\r\nRCPT TO:<b@h.example>\r\nRCPT TO:<c@h.example>\r\n"
        "RCPT TO:<d@h.example>\r\n");
    EXPECT_EQ(lines.back(), "452 4.5.3 too many recipients");
}
