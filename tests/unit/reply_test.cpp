#include "smtp/reply.hpp"

#include <gtest/gtest.h>

#include "fake_stream.hpp"

using orou::smtp::Reply;

TEST(Reply, WireFormatsMultiLineRepliesWithStatusOnEachLine) {
    Reply r{250, "2.0.0", "one\ntwo"};
    EXPECT_EQ(r.wire(), "250-2.0.0 one\r\n250 2.0.0 two\r\n");
}

TEST(Reply, ReadsAMultiLineReplyWithEnhancedStatus) {
    orou::test::FakeStream s("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 100\r\n550 5.1.1 no such user\r\n");
    orou::io::LineReader in(s, 1000);
    auto r = orou::smtp::read_reply(in, orou::test::far_deadline());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, 250);
    EXPECT_EQ(r->text, "mx.example\nPIPELINING\nSIZE 100");
    auto r2 = orou::smtp::read_reply(in, orou::test::far_deadline());
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->code, 550);
    EXPECT_EQ(r2->status, "5.1.1");
    EXPECT_EQ(r2->text, "no such user");
    EXPECT_TRUE(r2->permanent());
}

TEST(Reply, RejectsGarbageAndMixedCodes) {
    EXPECT_FALSE(orou::smtp::parse_reply({"hello"}));
    EXPECT_FALSE(orou::smtp::parse_reply({"250-a", "251 b"}));
    EXPECT_FALSE(orou::smtp::parse_reply({"99 x"}));
}

TEST(Reply, FromUpstreamKeepsCodeStatusAndTextButNotControlBytes) {
    Reply r = Reply::from_upstream({550, "5.1.1", "no\rsuch\x1b[1m user\tthere\x7f\nsecond line"});
    EXPECT_EQ(r.code, 550);
    EXPECT_EQ(r.status, "5.1.1");
    EXPECT_EQ(r.text, "no?such?[1m user there?\nsecond line");
    EXPECT_EQ(r.wire(), "550-5.1.1 no?such?[1m user there?\r\n550 5.1.1 second line\r\n");
    Reply plain{250, "", "hop.test Hello"};
    EXPECT_EQ(Reply::from_upstream(plain).text, plain.text);
}
