#include "auth/checker.hpp"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <thread>

#include "auth/authcheck.hpp"
#include "auth/saslauthd.hpp"
#include "auth_temp_dir.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"
#include "unix_listener.hpp"

using namespace orou::auth;
using namespace std::chrono_literals;
using orou::test::listen_unix;
using orou::test::TempDir;

namespace {

const std::string kOriginal =
    R"({"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}})";

// smtpd ignores SIGPIPE; so do these tests, while they run.
class CheckerTest : public ::testing::Test {
protected:
    void SetUp() override { old_ = std::signal(SIGPIPE, SIG_IGN); }
    void TearDown() override { std::signal(SIGPIPE, old_); }
    TempDir dir_;

private:
    void (*old_)(int) = SIG_DFL;
};

// Serves one connection with the real server code, like authcheck under
// systemd with Accept=yes.
void serve_one(int listener, const std::string& creds) {
    if (!orou::io::wait_fd(listener, false, orou::io::Clock::now() + 10s)) return;
    orou::Fd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    orou::log::Logger log("test", "NONE", orou::log::Level::Info);
    Authenticator auth(creds, log, 0ms);
    orou::io::FdStream peer(conn.get(), conn.get());
    (void)serve_saslauthd(peer, auth, 5s);
}

}  // namespace

TEST(MakeChecker, RefusesSpecsItDoesNotKnow) {
    EXPECT_THROW(make_checker("pam:login", 5s), orou::ConfigError);
    EXPECT_THROW(make_checker("exec:", 5s), orou::ConfigError);
    EXPECT_THROW(make_checker("exec:   ", 5s), orou::ConfigError);
    EXPECT_THROW(make_checker("unix:", 5s), orou::ConfigError);
    EXPECT_THROW(make_checker("unix:/" + std::string(200, 'x'), 5s), orou::ConfigError);
}

TEST_F(CheckerTest, UnixCheckerGetsOkAndRefusedOverOneConnection) {
    auto creds = dir_.write("creds.json", kOriginal);
    auto sock = dir_.file("auth.sock");
    orou::Fd listener = listen_unix(sock);
    auto checker = make_checker("unix:" + sock, 5s);
    std::thread server([&] { serve_one(listener.get(), creds); });  // one connection only
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::Ok);
    EXPECT_EQ(checker->check("asdf", Secret("wrong"), "smtp").result, AuthResult::Refused);
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::Ok);
    checker.reset();  // closes it: the server sees the end
    server.join();
}

// Answers one request on one connection, then closes it, as saslauthd does.
void answer_one(int listener, std::string_view answer) {
    if (!orou::io::wait_fd(listener, false, orou::io::Clock::now() + 10s)) return;
    orou::Fd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    orou::io::FdStream peer(conn.get(), conn.get());
    Request req;
    if (read_request(peer, req, orou::io::Clock::now() + 5s) == FrameStatus::Ok) write_answer(peer, answer);
}

TEST_F(CheckerTest, UnixCheckerOpensANewConnectionWhenTheServerClosedTheLast) {
    auto sock = dir_.file("auth.sock");
    orou::Fd listener = listen_unix(sock);
    auto checker = make_checker("unix:" + sock, 5s);
    std::promise<void> first_closed;
    std::thread server([&] {
        answer_one(listener.get(), kAnswerRefused);
        first_closed.set_value();
        answer_one(listener.get(), kAnswerOk);
    });
    EXPECT_EQ(checker->check("asdf", Secret("wrong"), "smtp").result, AuthResult::Refused);
    ASSERT_EQ(first_closed.get_future().wait_for(10s), std::future_status::ready);
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::Ok);
    server.join();
}

TEST_F(CheckerTest, UnixCheckerWithNobodyListeningIsATemporaryFailure) {
    auto checker = make_checker("unix:" + dir_.file("none.sock"), 5s);
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::TempFail);
}

TEST_F(CheckerTest, ExecCheckerThatCannotStartIsATemporaryFailure) {
    auto checker = make_checker("exec:" + dir_.file("no-such-program"), 5s);
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::TempFail);
}

TEST_F(CheckerTest, ExecCheckerThatAnswersNothingIsATemporaryFailure) {
    auto checker = make_checker("exec:/bin/false", 5s);
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::TempFail);
}

TEST_F(CheckerTest, ExecCheckerThatHangsTimesOutAsATemporaryFailure) {
    auto checker = make_checker("exec:/bin/sleep 30", 1s);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::TempFail);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(CheckerTest, OverlongFieldsAreRefusedWithoutAsking) {
    auto checker = make_checker("exec:/bin/false", 5s);
    EXPECT_EQ(checker->check(std::string(2000, 'u'), Secret("pw"), "smtp").result, AuthResult::Refused);
    EXPECT_EQ(checker->check("asdf", Secret(std::string(2000, 'p')), "smtp").result, AuthResult::Refused);
}

// The real program, when tests/run-all says where it is.
TEST_F(CheckerTest, ExecCheckerSpeaksToTheBuiltAuthcheck) {
    const char* bin = std::getenv("OROUBOROS_BIN");
    if (!bin) GTEST_SKIP() << "OROUBOROS_BIN is not set (tests/run-all sets it)";
    auto creds = dir_.write("creds.json", kOriginal);
    auto checker = make_checker(std::string("exec:") + bin +
                                    "/orouboros-authcheck --log NONE --fail-delay 0 "
                                    "--credentials " +
                                    creds,
                                10s);
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::Ok);
    EXPECT_EQ(checker->check("asdf", Secret("asdg"), "smtp").result, AuthResult::Refused);
    EXPECT_EQ(checker->check("nobody", Secret("asdf"), "smtp").result, AuthResult::Refused);
    std::filesystem::remove(creds);
    EXPECT_EQ(checker->check("asdf", Secret("asdf"), "smtp").result, AuthResult::TempFail);
}
