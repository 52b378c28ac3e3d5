#include "auth/saslauthd.hpp"

#include <sysexits.h>

#include <gtest/gtest.h>

#include "auth/authcheck.hpp"
#include "auth_temp_dir.hpp"
#include "base/error.hpp"
#include "fake_stream.hpp"

using namespace orou::auth;
using orou::test::FakeStream;
using orou::test::far_deadline;

namespace {

std::string counted(std::string_view s) {
    std::string out{static_cast<char>(s.size() >> 8), static_cast<char>(s.size() & 0xff)};
    return out + std::string(s);
}

std::string request(std::string_view user, std::string_view password) {
    return counted(user) + counted(password) + counted("smtp") + counted("");
}

const std::string kOriginal =
    R"({"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}})";

}  // namespace

TEST(Saslauthd, ARequestIsFourCountedStringsInOrder) {
    FakeStream s("");
    write_request(s, "asdf", Secret("pw"), "smtp", "example.org");
    EXPECT_EQ(s.output, counted("asdf") + counted("pw") + counted("smtp") + counted("example.org"));
}

TEST(Saslauthd, ARequestSurvivesARoundTripInOneByteChunks) {
    FakeStream out("");
    write_request(out, "asdf", Secret(std::string("p\0w", 3)), "smtp", "");
    FakeStream in(out.output, 1);
    Request req;
    ASSERT_EQ(read_request(in, req, far_deadline()), FrameStatus::Ok);
    EXPECT_EQ(req.login, "asdf");
    EXPECT_EQ(req.password.view(), std::string_view("p\0w", 3));
    EXPECT_EQ(req.service, "smtp");
    EXPECT_EQ(req.realm, "");
    EXPECT_EQ(read_request(in, req, far_deadline()), FrameStatus::Eof);
}

TEST(Saslauthd, ARequestCutShortIsMalformedNotEof) {
    std::string whole = request("asdf", "pw");
    for (std::size_t cut = 1; cut < whole.size(); ++cut) {
        FakeStream in(whole.substr(0, cut));
        Request req;
        EXPECT_EQ(read_request(in, req, far_deadline()), FrameStatus::Malformed) << "cut at " << cut;
    }
}

TEST(Saslauthd, AStringOver1024BytesIsMalformed) {
    std::string big(1025, 'x');
    FakeStream in(counted("asdf") + counted(big) + counted("smtp") + counted(""));
    Request req;
    EXPECT_EQ(read_request(in, req, far_deadline()), FrameStatus::Malformed);
    EXPECT_THROW(write_request(in, "asdf", Secret(big), "smtp", ""), std::length_error);
}

TEST(Saslauthd, AnswersAreReadAsOkRefusedOrTemporaryFailure) {
    FakeStream ok(counted("OK"));
    FakeStream no(counted("NO authentication failed"));
    FakeStream junk(counted("MAYBE"));
    FakeStream cut(std::string("\0\x05OK", 4));
    FakeStream none("");
    EXPECT_EQ(read_answer(ok, far_deadline()), AuthResult::Ok);
    EXPECT_EQ(read_answer(no, far_deadline()), AuthResult::Refused);
    EXPECT_EQ(read_answer(junk, far_deadline()), AuthResult::TempFail);
    EXPECT_EQ(read_answer(cut, far_deadline()), AuthResult::TempFail);
    EXPECT_EQ(read_answer(none, far_deadline()), AuthResult::TempFail);
}

TEST(Saslauthd, WriteAnswerFramesTheText) {
    FakeStream s("");
    write_answer(s, kAnswerRefused);
    EXPECT_EQ(s.output, counted("NO authentication failed"));
}

TEST(AuthcheckServe, AnswersEachRequestUntilEof) {
    orou::test::TempDir dir;
    auto path = dir.write("creds.json", kOriginal);
    orou::log::Logger log("test", "NONE", orou::log::Level::Debug);
    Authenticator auth(path, log, std::chrono::milliseconds(0));
    FakeStream s(request("asdf", "asdf") + request("asdf", "nope") + request("who", "asdf"), 3);
    EXPECT_EQ(serve_saslauthd(s, auth, std::chrono::seconds(5)), EX_OK);
    EXPECT_EQ(s.output, counted("OK") + counted("NO authentication failed") + counted("NO authentication failed"));
}

TEST(AuthcheckServe, AMalformedRequestEndsWithAProtocolErrorAndNoAnswer) {
    orou::test::TempDir dir;
    auto path = dir.write("creds.json", kOriginal);
    orou::log::Logger log("test", "NONE", orou::log::Level::Info);
    Authenticator auth(path, log, std::chrono::milliseconds(0));
    FakeStream s(request("asdf", "asdf").substr(0, 9));
    try {
        (void)serve_saslauthd(s, auth, std::chrono::seconds(5));
        FAIL() << "no error";
    } catch (const orou::ExitError& e) {
        EXPECT_EQ(e.status(), EX_PROTOCOL);
    }
    EXPECT_EQ(s.output, "");
}

TEST(AuthcheckServe, AnUnreadableCredentialsFileGivesNoAnswer) {
    orou::test::TempDir dir;
    orou::log::Logger log("test", "NONE", orou::log::Level::Info);
    Authenticator auth(dir.file("missing.json"), log, std::chrono::milliseconds(0));
    FakeStream s(request("asdf", "asdf"));
    EXPECT_THROW((void)serve_saslauthd(s, auth, std::chrono::seconds(5)), orou::ConfigError);
    EXPECT_EQ(s.output, "");
}
