#include "smtp/data_reader.hpp"

#include <gtest/gtest.h>

#include "fake_stream.hpp"

using orou::smtp::DataStatus;
using orou::smtp::read_data;

namespace {

struct Read {
    DataStatus status;
    std::string message;
    std::string next_line;
};

Read run(const std::string& input, std::size_t max_size = 1000) {
    orou::test::FakeStream s(input, 5);
    orou::io::LineReader in(s, 100);
    orou::io::Timer timer{std::chrono::seconds(5), orou::test::far_deadline()};
    Read r;
    r.status = read_data(in, timer, max_size, r.message);
    in.next(r.next_line, orou::test::far_deadline());
    return r;
}

}  // namespace

TEST(DataReader, UndoesDotStuffingAndStopsAtTheLoneDot) {
    auto r = run("Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(r.status, DataStatus::Ok);
    EXPECT_EQ(r.message, "Subject: x\r\n\r\n.leading dot\r\n");
    EXPECT_EQ(r.next_line, "QUIT");
}

TEST(DataReader, BareLfDotBareLfDoesNotEndTheMessage) {
    auto r = run("a\r\n\n.\nMAIL FROM:<evil@x>\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(r.status, DataStatus::BareCrOrLf);
    EXPECT_TRUE(r.message.empty());
    EXPECT_EQ(r.next_line, "QUIT");
}

TEST(DataReader, CrDotCrDoesNotEndTheMessage) {
    auto r = run("a\r\r.\rMAIL FROM:<evil@x>\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(r.status, DataStatus::BareCrOrLf);
    EXPECT_EQ(r.next_line, "QUIT");
}

TEST(DataReader, OversizedMessageIsReadToItsEndAndDropped) {
    auto r = run(std::string(50, 'x') + "\r\n" + std::string(50, 'y') + "\r\n.\r\nNOOP\r\n", 60);
    EXPECT_EQ(r.status, DataStatus::TooBig);
    EXPECT_TRUE(r.message.empty());
    EXPECT_EQ(r.next_line, "NOOP");
}

TEST(DataReader, EofInsideDataIsReported) { EXPECT_EQ(run("Subject: x\r\n").status, DataStatus::Eof); }

TEST(DataReader, DotStuffRoundTrips) {
    std::string msg = ".a\r\nb\r\n..c\r\n";
    std::string wire = orou::smtp::dot_stuff(msg);
    EXPECT_EQ(wire, "..a\r\nb\r\n...c\r\n.\r\n");
    EXPECT_EQ(run(wire).message, msg);
}

TEST(DataReader, LfDotCrLfDoesNotEndTheMessage) {
    auto r = run("a\r\nb\n.\r\nMAIL FROM:<evil@x>\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(r.status, DataStatus::BareCrOrLf);
    EXPECT_EQ(r.next_line, "QUIT");
}
