// What the client hears of the next hop: never the stage's socket path or
// command when it cannot be reached (that goes to the log), and the stage's
// own replies without their control bytes.  The stage is a fake LMTP server
// on a unix socket, served by a thread.
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <thread>

#include "auth_temp_dir.hpp"
#include "base/fd.hpp"
#include "fake_stream.hpp"
#include "io/line_reader.hpp"
#include "smtpd/session.hpp"
#include "unix_listener.hpp"

namespace {

using namespace orou;
using namespace std::chrono_literals;
using test::TempDir;

// An LMTP stage on a unix socket: answers each command with the reply the
// test gave for its verb (as is, control bytes and all), "250 ok" to the
// others, and records the verbs it was sent.  It serves `connections` in
// turn, and closes each after answering `hang_up_after` ("." for a message).
class FakeHop {
public:
    FakeHop(const std::string& path, std::map<std::string, std::string> replies, int connections = 1,
            std::string hang_up_after = "")
        : replies_(std::move(replies)),
          connections_(connections),
          hang_up_after_(std::move(hang_up_after)),
          listener_(test::listen_unix(path)),
          thread_([this] {
              for (int i = 0; i < connections_ && serve(); ++i) {}
          }) {}
    FakeHop(const FakeHop&) = delete;
    FakeHop& operator=(const FakeHop&) = delete;
    ~FakeHop() { join(); }

    // The verbs the stage was sent, once the session is over.
    const std::vector<std::string>& verbs() {
        join();
        return verbs_;
    }

private:
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    // One connection; false when none came.
    bool serve() {
        const auto deadline = io::Clock::now() + 10s;
        if (!io::wait_fd(listener_.get(), false, deadline)) return false;
        Fd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        io::FdStream stream(conn.get(), conn.get());
        io::LineReader in(stream, 4096);
        stream.write("220 hop.test LMTP\r\n");
        std::string line;
        for (int i = 0; i < 100 && in.next(line, deadline) == io::LineStatus::Ok; ++i) {
            std::string verb = line.substr(0, line.find(' '));
            verbs_.push_back(verb);
            if (verb == "DATA") {
                stream.write("354 go on\r\n");
                for (int n = 0; n < 1000 && in.next(line, deadline) == io::LineStatus::Ok && line != "."; ++n) {}
                verb = ".";
            }
            auto reply = replies_.find(verb);
            stream.write(reply == replies_.end() ? "250 ok\r\n" : reply->second);
            if (verb == "QUIT" || verb == hang_up_after_) return true;
        }
        return true;
    }

    std::map<std::string, std::string> replies_;
    int connections_;
    std::string hang_up_after_;
    Fd listener_;
    std::vector<std::string> verbs_;
    std::thread thread_;
};

// smtpd ignores SIGPIPE; so do these tests, while they run.
class SessionNextHop : public ::testing::Test {
protected:
    void SetUp() override { old_ = std::signal(SIGPIPE, SIG_IGN); }
    void TearDown() override { std::signal(SIGPIPE, old_); }

    // Runs a session with local_route `stage`; its log goes to log_file().
    std::string session(const std::string& stage, const std::string& input) {
        smtpd::Config config;
        config.hostname = "vps.test";
        config.domains.delivery = {"example.com"};
        config.local_route = stage;
        test::FakeStream stream(input);
        log::Logger logger("test", log_file(), log::Level::Info);
        smtpd::Session s(config, smtpd::Services{nullptr, nullptr, logger}, stream, smtpd::Peer{});
        s.run();
        return stream.output;
    }
    std::string log_file() const { return dir_.file("smtpd.log"); }

    TempDir dir_;

private:
    void (*old_)(int) = SIG_DFL;
};

const std::string kRcpt = "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<bob@example.com>\r\nQUIT\r\n";

bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

}  // namespace

TEST_F(SessionNextHop, AStageNobodyListensOnGives451WithoutItsPathButTheLogHasIt) {
    const std::string sock = dir_.file("deliver.sock");
    auto out = session("unix:" + sock, kRcpt);
    EXPECT_TRUE(has(out, "\r\n451 4.4.1 next hop did not answer\r\n")) << out;
    EXPECT_FALSE(has(out, sock)) << out;
    EXPECT_FALSE(has(out, "deliver.sock")) << out;
    EXPECT_TRUE(has(out, "221 2.0.0")) << out;
    const std::string log = test::slurp(log_file());
    EXPECT_TRUE(has(log, "event=next-hop route=local result=unavailable")) << log;
    EXPECT_TRUE(has(log, sock)) << log;
}

TEST_F(SessionNextHop, AStageThatCannotStartGives451WithoutItsCommandButTheLogHasIt) {
    const std::string prog = dir_.file("no-such-deliver");
    auto out = session("exec:" + prog + " --lmtp --mboxdir /secret/mail", kRcpt);
    EXPECT_TRUE(has(out, "\r\n451 4.4.1 next hop did not answer\r\n")) << out;
    EXPECT_FALSE(has(out, "no-such-deliver")) << out;
    EXPECT_FALSE(has(out, "/secret/mail")) << out;
    EXPECT_TRUE(has(test::slurp(log_file()), prog)) << test::slurp(log_file());
}

TEST_F(SessionNextHop, AStrangerHearsTheStagesRcptRefusalAsAFixedTextAndTheLogHasItsOwn) {
    const std::string sock = dir_.file("deliver.sock");
    FakeHop hop(sock, {{"RCPT", "550 5.1.1 unknown\r250 2.1.5 forged\x1b[31m\x7f\r\n"}});
    auto out = session("unix:" + sock, kRcpt);
    EXPECT_TRUE(has(out, "\r\n550 5.1.1 recipient rejected\r\n")) << out;
    EXPECT_FALSE(has(out, "forged")) << out;
    EXPECT_FALSE(has(out, "\x1b")) << out;
    const std::string log = test::slurp(log_file());
    EXPECT_TRUE(has(log, "event=next-hop reply=\"550 5.1.1 unknown?250 2.1.5 forged?[31m?\"")) << log;
    EXPECT_EQ(hop.verbs(), (std::vector<std::string>{"LHLO", "MAIL", "RCPT", "QUIT"}));
}

TEST_F(SessionNextHop, AStrangerHearsTheStagesDataVerdictAsAFixedText) {
    const std::string sock = dir_.file("deliver.sock");
    FakeHop hop(sock, {{".", "452 4.2.2 mailbox\rfull\x01\tnow\r\n"}});
    auto out = session("unix:" + sock,
                       "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<bob@example.com>\r\n"
                       "DATA\r\nSubject: t\r\n\r\nhi\r\n.\r\nQUIT\r\n");
    EXPECT_TRUE(has(out, "\r\n250 2.0.0 Ok\r\n354 ")) << out;  // the stage's RCPT reply, then DATA
    EXPECT_TRUE(has(out, "\r\n451 4.2.2 mailbox full\r\n")) << out;
    EXPECT_EQ(hop.verbs(), (std::vector<std::string>{"LHLO", "MAIL", "RCPT", "DATA", "QUIT"}));
}

const std::string kTwoMessages =
    "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: 1\r\n\r\nhi\r\n.\r\n"
    "MAIL FROM:<a@x.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: 2\r\n\r\nhi\r\n.\r\nQUIT\r\n";

std::size_t count(const std::string& out, const std::string& what) {
    std::size_t n = 0;
    for (auto at = out.find(what); at != std::string::npos; at = out.find(what, at + 1)) ++n;
    return n;
}

TEST_F(SessionNextHop, ASessionKeepsItsStageConnectionForItsNextTransaction) {
    const std::string sock = dir_.file("deliver.sock");
    FakeHop hop(sock, {{".", "250 2.0.0 stored\r\n"}});
    auto out = session("unix:" + sock, kTwoMessages);
    EXPECT_EQ(count(out, "\r\n250 2.0.0 message accepted"), 2u) << out;
    EXPECT_EQ(hop.verbs(), (std::vector<std::string>{"LHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT"}));
}

TEST_F(SessionNextHop, AStageConnectionClosedBetweenTransactionsIsOpenedAnew) {
    const std::string sock = dir_.file("deliver.sock");
    FakeHop hop(sock, {{".", "250 2.0.0 stored\r\n"}}, 2, ".");
    auto out = session("unix:" + sock, kTwoMessages);
    EXPECT_EQ(count(out, "\r\n250 2.0.0 message accepted"), 2u) << out;
    EXPECT_EQ(hop.verbs(), (std::vector<std::string>{"LHLO", "MAIL", "RCPT", "DATA", "LHLO", "MAIL", "RCPT", "DATA"}));
}
