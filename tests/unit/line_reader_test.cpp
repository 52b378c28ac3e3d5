#include "io/line_reader.hpp"

#include <gtest/gtest.h>

#include "fake_stream.hpp"

using orou::io::LineReader;
using orou::io::LineStatus;
using orou::test::FakeStream;
using orou::test::far_deadline;

TEST(LineReader, ReturnsCrlfLinesWithoutTheTerminator) {
    FakeStream s("EHLO x\r\nQUIT\r\n", 3);
    LineReader r(s, 100);
    std::string line;
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Ok);
    EXPECT_EQ(line, "EHLO x");
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Ok);
    EXPECT_EQ(line, "QUIT");
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Eof);
}

TEST(LineReader, FlagsBareLfAndBareCr) {
    FakeStream s("a\nb\rc\r\nd\r\n");
    LineReader r(s, 100);
    std::string line;
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::BareCrOrLf);
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::BareCrOrLf);
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Ok);
    EXPECT_EQ(line, "d");
}

TEST(LineReader, SkipsAnOverlongLineWithoutKeepingIt) {
    std::string big(1'000'000, 'x');
    FakeStream s(big + "\r\nNOOP\r\n", 1000);
    LineReader r(s, 512);
    std::string line;
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::TooLong);
    EXPECT_TRUE(line.empty());
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Ok);
    EXPECT_EQ(line, "NOOP");
}

TEST(LineReader, AcceptsALineOfExactlyTheLimit) {
    FakeStream s(std::string(512, 'y') + "\r\n", 7);
    LineReader r(s, 512);
    std::string line;
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Ok);
    EXPECT_EQ(line.size(), 512u);
}

TEST(LineReader, FlagsNulBytes) {
    FakeStream s(std::string("MAIL\0FROM", 9) + "\r\n");
    LineReader r(s, 100);
    std::string line;
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Nul);
}

TEST(LineReader, DiscardDropsPipelinedInput) {
    FakeStream s("STARTTLS\r\nMAIL FROM:<a@b>\r\n");
    LineReader r(s, 100);
    std::string line;
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Ok);
    EXPECT_TRUE(r.has_buffered());
    r.discard_buffered();
    EXPECT_FALSE(r.has_buffered());
    EXPECT_EQ(r.next(line, far_deadline()), LineStatus::Eof);
}
