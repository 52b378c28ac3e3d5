#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.hpp"
#include "log/journal.hpp"
#include "log/log.hpp"
#include "log/trace.hpp"

namespace log = orou::log;

TEST(Log, EscapeQuotesBlanksAndHexesControlBytes) {
    EXPECT_EQ(log::escape("plain"), "plain");
    EXPECT_EQ(log::escape("two words"), "\"two words\"");
    EXPECT_EQ(log::escape(""), "\"\"");
    EXPECT_EQ(log::escape("a\r\nb"), "a\\x0d\\x0ab");
    EXPECT_EQ(log::escape_bytes("x y\x01"), "x y\\x01");
}

TEST(Log, FieldNamesAreUpperCaseJournalNames) {
    EXPECT_EQ(log::field_name("sid"), "SID");
    EXPECT_EQ(log::field_name("work_factor"), "WORK_FACTOR");
    EXPECT_EQ(log::field_name("client-port"), "CLIENT_PORT");
    EXPECT_EQ(log::field_name("_x"), "F_X");
    EXPECT_EQ(log::field_name("9"), "F9");
}

TEST(Log, LevelsMapToSyslogPriorities) {
    EXPECT_EQ(log::priority_of(log::Level::Debug), 7);
    EXPECT_EQ(log::priority_of(log::Level::Info), 6);
    EXPECT_EQ(log::priority_of(log::Level::Warning), 4);
    EXPECT_EQ(log::priority_of(log::Level::Error), 3);
}

TEST(Log, StderrIsTheJournalOnlyWhenJournalStreamNamesIt) {
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_FALSE(log::stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "1:2", 1);
    EXPECT_FALSE(log::stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "garbage", 1);
    EXPECT_FALSE(log::stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
}

TEST(Log, AFileTargetGetsOneKeyValueLinePerEventWithTheSidFirst) {
    char path[] = "/tmp/orou-log-test-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    {
        log::Logger logger("orouboros-test", path, log::Level::Info);
        EXPECT_FALSE(logger.journal());
        logger.set_sid("0123456789abcdef");
        logger.event(log::Level::Debug, "hidden", {});
        logger.event(log::Level::Info, "data", {{"msgid", "0123456789abcdef.1"}, {"reply", "250 2.0.0 ok"}});
    }
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    ::unlink(path);
    EXPECT_NE(text.str().find("]: sid=0123456789abcdef event=data msgid=0123456789abcdef.1 reply=\"250 2.0.0 ok\"\n"),
              std::string::npos);
    EXPECT_EQ(text.str().find("hidden"), std::string::npos);
}

namespace {

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST(Log, ReopenAfterARenameWritesTheNextLinesToANewFileOfTheSameName) {
    char dir[] = "/tmp/orou-log-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string path = std::string(dir) + "/relay.log", rotated = path + ".1";
    {
        log::Logger logger("orouboros-test", path, log::Level::Info);
        logger.event(log::Level::Info, "before", {});
        ASSERT_EQ(std::rename(path.c_str(), rotated.c_str()), 0);
        logger.reopen();
        logger.event(log::Level::Info, "after", {});
    }
    std::string old_text = file_text(rotated), new_text = file_text(path);
    ::unlink(rotated.c_str());
    ::unlink(path.c_str());
    ::rmdir(dir);
    EXPECT_NE(old_text.find("event=before\n"), std::string::npos);
    EXPECT_EQ(old_text.find("after"), std::string::npos);
    EXPECT_NE(new_text.find("event=after\n"), std::string::npos);
    EXPECT_EQ(new_text.find("before"), std::string::npos);
}

TEST(Log, ReopenOfAFileThatCannotBeOpenedThrowsAndKeepsTheOpenOne) {
    char dir[] = "/tmp/orou-log-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string sub = std::string(dir) + "/sub", path = sub + "/relay.log", moved = std::string(dir) + "/moved";
    ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
    {
        log::Logger logger("orouboros-test", path, log::Level::Info);
        ASSERT_EQ(std::rename(sub.c_str(), moved.c_str()), 0);  // the file's directory is gone
        EXPECT_THROW(logger.reopen(), orou::SysError);
        logger.event(log::Level::Info, "kept", {});
    }
    std::string text = file_text(moved + "/relay.log");
    std::filesystem::remove_all(dir);
    EXPECT_NE(text.find("event=kept\n"), std::string::npos);
}

TEST(Log, JournalTargetWritesThePlainLineToStderrWhenNoJournalListens) {
    if (::access(log::kJournalSocket, F_OK) == 0) GTEST_SKIP() << "a journal listens here";
    std::FILE* tmp = std::tmpfile();
    ASSERT_NE(tmp, nullptr);
    int saved = ::dup(STDERR_FILENO);
    ::dup2(::fileno(tmp), STDERR_FILENO);
    {
        log::Logger logger("orouboros-test", "JOURNAL", log::Level::Info);
        EXPECT_FALSE(logger.journal());
        logger.event(log::Level::Warning, "fallback", {{"user", "bob"}});
    }
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::rewind(tmp);
    char buf[256] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, tmp);
    std::fclose(tmp);
    EXPECT_NE(std::string(buf, n).find("event=fallback user=bob\n"), std::string::npos);
}

TEST(Journal, AnEntryIsOneLinePerFieldAndAValueWithANewlineGoesByItsLength) {
    log::JournalEntry entry;
    entry.fields = {"MESSAGE=event=x", "PRIORITY=6"};
    entry.add("reason", "two\nlines");
    EXPECT_EQ(log::serialise(entry),
              "MESSAGE=event=x\nPRIORITY=6\nREASON\n" + std::string("\x09\0\0\0\0\0\0\0", 8) + "two\nlines\n");
}

// journald's socket stood in for by a datagram socket in a temporary
// directory: what a logger sends there is one datagram per event, and once
// nothing listens the line goes to stderr instead.
TEST(Journal, EachEventIsOneDatagramOnTheJournalSocket) {
    char dir[] = "/tmp/orou-journal.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string path = std::string(dir) + "/socket";
    orou::Fd server(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    ASSERT_EQ(::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    orou::Fd client = log::connect_journal(path.c_str());
    ASSERT_TRUE(client);
    log::JournalEntry entry;
    entry.fields = {"MESSAGE=sid=1 event=hello", "PRIORITY=6", "SYSLOG_IDENTIFIER=orouboros-test"};
    entry.add("client", "192.0.2.1");
    ASSERT_TRUE(log::send(client.get(), entry));
    char buf[512];
    const ssize_t n = ::recv(server.get(), buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)),
              "MESSAGE=sid=1 event=hello\nPRIORITY=6\nSYSLOG_IDENTIFIER=orouboros-test\nCLIENT=192.0.2.1\n");
    server.reset();
    ::unlink(path.c_str());
    EXPECT_FALSE(log::send(client.get(), entry));      // journald gone: the caller writes the line instead
    EXPECT_FALSE(log::connect_journal(path.c_str()));  // nothing listens
    ::rmdir(dir);
}

TEST(Trace, ReceivedIdIsTheIdClauseOfTheFirstReceivedHeader) {
    std::string m =
        "Received: from client.example ([192.0.2.1])\r\n\tby mx.example (Orouboros) with ESMTPS\r\n"
        "\t(TLSv1.3 cipher TLS_AES_256_GCM_SHA384)\r\n\tid 6f3a09c1d2e3f405.2\r\n\tfor <bob@example.org>; "
        "Tue, 1 Dec 2026 10:00:00 +0000\r\nReceived: by other.example id older;\r\nSubject: x\r\n\r\nbody\r\n";
    EXPECT_EQ(log::received_id(m), "6f3a09c1d2e3f405.2");
}

TEST(Trace, ReceivedIdJustBeforeTheDateLosesItsSemicolon) {
    EXPECT_EQ(log::received_id("Received: by mx.example id abc.1; Tue, 1 Dec 2026\nSubject: x\n\nb\n"), "abc.1");
}

TEST(Trace, AnEhloNameCalledIdIsNotTakenForTheId) {
    std::string m = "Received: from id (id.example [192.0.2.1]) by mx.example id real.1; date\r\n\r\n";
    EXPECT_EQ(log::received_id(m), "real.1");
    EXPECT_EQ(log::received_id("Received: from x (id fake.1) by mx.example; date\r\n\r\n"), "");
}

TEST(Trace, NoReceivedHeaderOrOneInTheBodyGivesNoId) {
    EXPECT_EQ(log::received_id("Subject: x\r\n\r\nReceived: by y id body.1; d\r\n"), "");
    EXPECT_EQ(log::received_id(""), "");
}

TEST(Trace, AnIdThatIsNotAPlainTokenIsIgnored) {
    EXPECT_EQ(log::received_id("Received: by mx id <a@b>; d\r\n\r\n"), "");
    EXPECT_EQ(log::received_id("Received: by mx id " + std::string(65, 'a') + "; d\r\n\r\n"), "");
}
