#include "deliver/sendmail.hpp"

#include <sysexits.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "deliver/message_format.hpp"
#include "deliver_test_util.hpp"
#include "fake_stream.hpp"

using namespace orou::deliver;
using orou::test::slurp;

namespace {

struct Fixture {
    orou::test::TempDir tmp;
    Writer writer;
    FileStore store{StoreConfig{Layout::Mbox, tmp.path(), "mx", LockTimes{}}, writer};
    orou::log::Logger log{"test", "NONE", orou::log::Level::Error};

    // The exit status, or the ExitError's status.
    int deliver(SendmailRequest request, const std::string& input) {
        orou::test::FakeStream in(input, 7);
        orou::io::Timer timer{std::chrono::seconds(5), orou::test::far_deadline()};
        try {
            return deliver_from_stream(store, log, request, in, timer);
        } catch (const orou::ExitError& e) {
            return e.status();
        }
    }
};

}  // namespace

TEST(Sendmail, DeliversToEveryRecipientAndExitsZero) {
    Fixture f;
    EXPECT_EQ(f.deliver({"a@x.example", {"bob@h.example", "carol@h.example"}, 1000}, "Subject: x\n\nhi\n"), EX_OK);
    EXPECT_NE(slurp(f.tmp.file("bob/INBOX")).find("\nhi\n\n"), std::string::npos);
    EXPECT_NE(slurp(f.tmp.file("carol/INBOX")).find("Delivered-To: carol@h.example\n"), std::string::npos);
}

TEST(Sendmail, AngleBracketsAroundTheAddressesAreDropped) {
    Fixture f;
    EXPECT_EQ(f.deliver({"<>", {"<bob@h.example>"}, 1000}, "Subject: x\n"), EX_OK);
    EXPECT_EQ(slurp(f.tmp.file("bob/INBOX")).rfind("From MAILER-DAEMON ", 0), 0u);
}

TEST(Sendmail, AMessageOverTheLimitIsADataErrorAndStoresNothing) {
    Fixture f;
    EXPECT_EQ(f.deliver({"a@x.example", {"bob@h.example"}, 100}, std::string(101, 'x')), EX_DATAERR);
    EXPECT_FALSE(orou::test::exists(f.tmp.file("bob")));
    EXPECT_EQ(f.deliver({"a@x.example", {"bob@h.example"}, 100}, std::string(100, 'x')), EX_OK);
}

TEST(Sendmail, ARefusedRecipientRefusesTheWholeMessageWithNoUser) {
    Fixture f;
    EXPECT_EQ(f.deliver({"a@x.example", {"bob@h.example", "../evil@h.example"}, 1000}, "x\n"), EX_NOUSER);
    EXPECT_EQ(orou::test::count_files(f.tmp.path()), 0u);
}

TEST(Sendmail, ASenderWithALineBreakIsAUsageError) {
    Fixture f;
    EXPECT_EQ(f.deliver({"a@x\nBcc: b@y", {"bob@h.example"}, 1000}, "x\n"), EX_USAGE);
}

TEST(Sendmail, ATemporaryFailureForOneRecipientIsTempfailAfterTheOthersAreDelivered) {
    Fixture f;
    f.tmp.write("bob", "a file where a directory should be");
    EXPECT_EQ(f.deliver({"a@x.example", {"bob@h.example", "carol@h.example"}, 1000}, "x\n"), EX_TEMPFAIL);
    EXPECT_TRUE(orou::test::exists(f.tmp.file("carol/INBOX")));
}

TEST(Sendmail, ReadMessageGivesUpWhenTheInputIsSilent) {
    class Silent final : public orou::io::Stream {
    public:
        orou::io::ReadResult read(std::span<char>, orou::io::Deadline) override {
            return {orou::io::ReadStatus::Timeout};
        }
        void write(std::string_view) override {}
    } silent;
    orou::io::Timer timer{std::chrono::seconds(1), orou::test::far_deadline()};
    try {
        orou::smtp::StringSink sink;
        read_message(silent, timer, 100, sink);
        ADD_FAILURE() << "no timeout";
    } catch (const orou::ExitError& e) {
        EXPECT_EQ(e.status(), EX_TEMPFAIL);
    }
}

TEST(Sendmail, ReadMessageEndsLinesAtLfCrlfOrALoneCr) {
    const std::string input = "a\nb\r\nc\rd\n\n.e";
    orou::test::FakeStream in(input, 3);
    orou::io::Timer timer{std::chrono::seconds(1), orou::test::far_deadline()};
    orou::smtp::StringSink sink;
    read_message(in, timer, 1000, sink);
    EXPECT_EQ(sink.text, "a\r\nb\r\nc\r\nd\r\n\r\n.e\r\n");
}
