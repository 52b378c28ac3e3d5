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

namespace {

// A sink that keeps what it was given, and whether it was told to abandon.
struct Collect final : orou::smtp::DataSink {
    std::vector<std::string> lines;
    int abandoned = 0;
    void line(std::string_view text) override { lines.emplace_back(text); }
    void abandon() override { ++abandoned; }
};

struct Streamed {
    DataStatus status;
    Collect sink;
};

Streamed stream(const std::string& input, orou::smtp::DataLimits limits) {
    orou::test::FakeStream s(input, 7);
    orou::io::LineReader in(s, 1000);
    orou::io::Timer timer{std::chrono::seconds(5), orou::test::far_deadline()};
    Streamed r;
    r.status = read_data(in, timer, limits, r.sink);
    return r;
}

std::string received_lines(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "Received: from hop" + std::to_string(i) + "\r\n\tby x; date\r\n";
    return s;
}

}  // namespace

TEST(DataReaderStream, HandsEachLineOnAsItIsReadWithDotStuffingUndone) {
    auto r = stream("Subject: x\r\n\r\n..dot\r\nbody\r\n.\r\n", {});
    EXPECT_EQ(r.status, DataStatus::Ok);
    EXPECT_EQ(r.sink.lines, (std::vector<std::string>{"Subject: x", "", ".dot", "body"}));
    EXPECT_EQ(r.sink.abandoned, 0);
}

TEST(DataReaderStream, FiftyReceivedHeadersPassAndFiftyOneAreAMailLoop) {
    orou::smtp::DataLimits limits;
    EXPECT_EQ(stream(received_lines(50) + "Subject: x\r\n\r\nhi\r\n.\r\n", limits).status, DataStatus::Ok);
    auto r = stream(received_lines(51) + "Subject: x\r\n\r\nhi\r\n.\r\n", limits);
    EXPECT_EQ(r.status, DataStatus::TooManyHops);
    EXPECT_EQ(r.sink.abandoned, 1);
    EXPECT_EQ(r.sink.lines.size(), 100u);  // the 51st Received line never went on
}

TEST(DataReaderStream, ReceivedInTheBodyOrInAnyCaseCountsOnlyInTheHeader) {
    orou::smtp::DataLimits limits;
    limits.max_hops = 2;
    EXPECT_EQ(stream("received :a\r\nRECEIVED: b\r\n\r\nReceived: c\r\n.\r\n", limits).status, DataStatus::Ok);
    EXPECT_EQ(stream("received :a\r\nRECEIVED: b\r\nReceived: c\r\n\r\n.\r\n", limits).status, DataStatus::TooManyHops);
}

TEST(DataReaderStream, AHeaderSectionOverTheLimitIsRefusedButALongBodyIsNot) {
    orou::smtp::DataLimits limits;
    limits.max_header = 2048;
    std::string big_header, long_body = "Subject: x\r\n\r\n";
    for (int i = 0; i < 40; ++i) big_header += "X-Filler: " + std::string(60, 'a') + "\r\n";
    for (int i = 0; i < 400; ++i) long_body += std::string(60, 'b') + "\r\n";
    auto r = stream(big_header + "\r\nhi\r\n.\r\n", limits);
    EXPECT_EQ(r.status, DataStatus::HeaderTooBig);
    EXPECT_EQ(r.sink.abandoned, 1);
    EXPECT_EQ(stream(long_body + ".\r\n", limits).status, DataStatus::Ok);
    // text that is no header at all starts the body at once
    std::string text;
    for (int i = 0; i < 30; ++i) text += std::string(90, 'c') + "\r\n";
    EXPECT_EQ(stream(text + ".\r\n", limits).status, DataStatus::Ok);
}

TEST(DataReaderStream, ABadMessageIsAbandonedOnceAndReadToItsEnd) {
    auto r = stream("a\r\nbad\nline\r\nmore\r\n.\r\nQUIT\r\n", {});
    EXPECT_EQ(r.status, DataStatus::BareCrOrLf);
    EXPECT_EQ(r.sink.abandoned, 1);
    EXPECT_EQ(r.sink.lines, (std::vector<std::string>{"a"}));
}

TEST(DataReaderStream, AClientGoneBeforeTheDotMakesTheSinkAbandon) {
    auto r = stream("Subject: x\r\n\r\nhalf a mess", {});
    EXPECT_EQ(r.status, DataStatus::Eof);
    EXPECT_EQ(r.sink.abandoned, 1);
}

TEST(DataReaderStream, OverTheSizeLimitIsTooBigAndAbandoned) {
    orou::smtp::DataLimits limits;
    limits.max_size = 20;
    auto r = stream("0123456789\r\n0123456789\r\n.\r\n", limits);
    EXPECT_EQ(r.status, DataStatus::TooBig);
    EXPECT_EQ(r.sink.abandoned, 1);
}
