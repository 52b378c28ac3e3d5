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
    EXPECT_EQ(read_answer(ok, far_deadline()).result, AuthResult::Ok);
    EXPECT_EQ(read_answer(no, far_deadline()).result, AuthResult::Refused);
    EXPECT_EQ(read_answer(junk, far_deadline()).result, AuthResult::TempFail);
    EXPECT_EQ(read_answer(cut, far_deadline()).result, AuthResult::TempFail);
    EXPECT_EQ(read_answer(none, far_deadline()).result, AuthResult::TempFail);
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

TEST(AuthcheckServe, AUserWithSendersMappedIsAnsweredOkWithThem) {
    orou::test::TempDir dir;
    auto path = dir.write("creds.json", R"({"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==",
        "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk=", "senders": ["Alice@Example.org", "example.net"]}})");
    orou::log::Logger log("test", "NONE", orou::log::Level::Info);
    Authenticator auth(path, log, std::chrono::milliseconds(0));
    FakeStream s(request("asdf", "asdf") + request("asdf", "nope"));
    EXPECT_EQ(serve_saslauthd(s, auth, std::chrono::seconds(5)), EX_OK);
    EXPECT_EQ(s.output,
              counted("OK sender=alice@example.org sender=@example.net") + counted("NO authentication failed"));
}

TEST(SendersAnswer, OkCarriesTheSendersAndReadsBack) {
    const std::vector<std::string> map{"alice@example.org", "@example.net", "*"};
    EXPECT_EQ(ok_answer(map), "OK sender=alice@example.org sender=@example.net sender=*");
    EXPECT_EQ(ok_answer({}), "OK");
    Verdict v = parse_answer(ok_answer(map));
    EXPECT_EQ(v.result, AuthResult::Ok);
    EXPECT_EQ(v.senders, map);
}

TEST(SendersAnswer, APlainSaslauthdOkMapsNoSenders) {
    for (std::string_view ok : {"OK", "OK Success.", "OK  "}) {
        Verdict v = parse_answer(ok);
        EXPECT_EQ(v.result, AuthResult::Ok) << ok;
        EXPECT_TRUE(v.senders.empty()) << ok;
    }
}

TEST(SendersAnswer, ABadSenderWordOrTooManyIsATemporaryFailureNotAWiderMapping) {
    EXPECT_EQ(parse_answer("OK sender=").result, AuthResult::TempFail);
    EXPECT_EQ(parse_answer("OK sender=@").result, AuthResult::TempFail);
    EXPECT_EQ(parse_answer("OK sender=a@b.example sender=not@").result, AuthResult::TempFail);
    std::string many = "OK";
    for (std::size_t i = 0; i <= kMaxSenders; ++i) many += " sender=u" + std::to_string(i) + "@example.org";
    EXPECT_EQ(parse_answer(many).result, AuthResult::TempFail);
}

TEST(SendersAnswer, TheLargestMappingFitsAnAnswerAndALargerAnswerIsATemporaryFailure) {
    std::vector<std::string> map;
    for (std::size_t i = 0; i < kMaxSenders; ++i)
        map.push_back(std::to_string(1000 + i) + "@" + std::string(62, 'd') + "." + std::string(62, 'e') + "." +
                      std::string(62, 'f') + "." + std::string(60, 'g'));
    ASSERT_EQ(map.front().size(), kMaxSenderLength);
    ASSERT_TRUE(normalize_sender(map.front()));
    FakeStream big("");
    write_answer(big, ok_answer(map));
    FakeStream in(big.output);
    EXPECT_EQ(read_answer(in, far_deadline()).senders, map);
    FakeStream over(counted("OK" + std::string(kMaxAnswer - 1, ' ')));
    EXPECT_EQ(read_answer(over, far_deadline()).result, AuthResult::TempFail);
}
