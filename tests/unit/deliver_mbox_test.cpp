#include "deliver/mbox.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "deliver/message_format.hpp"
#include "deliver_test_util.hpp"

using namespace orou::deliver;
using orou::test::slurp;

namespace {

const LockTimes kNoWait{std::chrono::seconds(0), std::chrono::seconds(300)};

std::string entry(std::string_view message, std::string_view rcpt = "bob@home.example") {
    return mbox_entry("a@x.example", rcpt, message, 0);
}

}  // namespace

TEST(Mbox, TheFromLineNamesTheSenderAndTheUtcDateInAsctimeForm) {
    EXPECT_EQ(from_line("a@x.example", 0), "From a@x.example Thu Jan  1 00:00:00 1970\n");
    EXPECT_EQ(from_line("a@x.example", 1795000000), "From a@x.example Wed Nov 18 11:06:40 2026\n");
}

TEST(Mbox, TheNullSenderIsMailerDaemon) {
    EXPECT_EQ(from_line("", 0), "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n");
}

TEST(Mbox, ABlankInTheSenderCannotSplitTheFromLine) {
    EXPECT_EQ(from_line("\"a b\"@x", 0), "From \"a_b\"@x Thu Jan  1 00:00:00 1970\n");
}

TEST(Mbox, TheEntryHasReturnPathAndDeliveredToOnTopAndEndsWithABlankLine) {
    EXPECT_EQ(entry("Subject: hi\r\n\r\nbody\r\n"),
              "From a@x.example Thu Jan  1 00:00:00 1970\n"
              "Return-Path: <a@x.example>\nDelivered-To: bob@home.example\n"
              "Subject: hi\n\nbody\n\n");
}

TEST(Mbox, AFromLineInTheBodyIsQuoted) {
    std::string e = entry("\r\nFrom me\r\n>From you\r\n>>From them\r\n");
    EXPECT_NE(e.find("\n>From me\n>>From you\n>>>From them\n"), std::string::npos);
}

TEST(Mbox, LinesThatOnlyLookLikeFromAreNotQuoted) {
    std::string e = entry("From: a@x.example\r\n\r\nFromage\r\n From x\r\n>Fro\r\n");
    EXPECT_NE(e.find("\nFrom: a@x.example\n\nFromage\n From x\n>Fro\n"), std::string::npos);
}

TEST(Mbox, LfAndCrlfInputGiveTheSameEntry) {
    EXPECT_EQ(entry("Subject: x\n\nbody\n"), entry("Subject: x\r\n\r\nbody\r\n"));
}

TEST(Mbox, ALastLineWithoutANewlineGetsOne) { EXPECT_EQ(entry("Subject: x\n\nbody"), entry("Subject: x\n\nbody\n")); }

TEST(Mbox, AppendCreatesAPrivateDirectoryAndInbox) {
    orou::test::TempDir tmp;
    Writer writer;
    append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), writer, kNoWait);
    EXPECT_EQ(orou::test::mode_of(tmp.file("bob")), 0700u);
    EXPECT_EQ(orou::test::mode_of(tmp.file("bob/INBOX")), 0600u);
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), entry("Subject: x\r\n"));
    EXPECT_FALSE(orou::test::exists(tmp.file("bob/INBOX.lock")));
}

TEST(Mbox, TwoMessagesAreAppendedInOrder) {
    orou::test::TempDir tmp;
    Writer writer;
    append_mbox(tmp.file("bob"), entry("Subject: one\r\n"), writer, kNoWait);
    append_mbox(tmp.file("bob"), entry("Subject: two\r\n"), writer, kNoWait);
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), entry("Subject: one\r\n") + entry("Subject: two\r\n"));
}

TEST(Mbox, AnMboxWithoutAFinalNewlineGetsOneBeforeTheNextEntry) {
    orou::test::TempDir tmp;
    ::mkdir(tmp.file("bob").c_str(), 0700);
    tmp.write("bob/INBOX", "From x Thu Jan  1 00:00:00 1970\nbroken");
    Writer writer;
    append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), writer, kNoWait);
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), "From x Thu Jan  1 00:00:00 1970\nbroken\n" + entry("Subject: x\r\n"));
}

TEST(Mbox, AFailedWriteLeavesTheMboxByteForByteAsItWas) {
    orou::test::TempDir tmp;
    Writer good;
    append_mbox(tmp.file("bob"), entry("Subject: one\r\n"), good, kNoWait);
    const std::string before = slurp(tmp.file("bob/INBOX"));
    orou::test::FailingWriter full;
    full.budget = 10;
    EXPECT_THROW(append_mbox(tmp.file("bob"), entry("Subject: two\r\n"), full, kNoWait), orou::SysError);
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), before);
    EXPECT_FALSE(orou::test::exists(tmp.file("bob/INBOX.lock")));
}

TEST(Mbox, AFailedFsyncLeavesTheMboxByteForByteAsItWas) {
    orou::test::TempDir tmp;
    Writer good;
    append_mbox(tmp.file("bob"), entry("Subject: one\r\n"), good, kNoWait);
    const std::string before = slurp(tmp.file("bob/INBOX"));
    orou::test::FailingWriter failing;
    failing.failing_sync = 1;
    EXPECT_THROW(append_mbox(tmp.file("bob"), entry("Subject: two\r\n"), failing, kNoWait), orou::SysError);
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), before);
}

TEST(Mbox, AFailureOnANewMboxLeavesNoInbox) {
    orou::test::TempDir tmp;
    orou::test::FailingWriter full;
    full.budget = 5;
    EXPECT_THROW(append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), full, kNoWait), orou::SysError);
    EXPECT_FALSE(orou::test::exists(tmp.file("bob/INBOX")));
}

TEST(Mbox, AFileSizeLimitHitMidWriteIsRolledBack) {
    orou::test::TempDir tmp;
    Writer writer;
    append_mbox(tmp.file("bob"), entry("Subject: one\r\n"), writer, kNoWait);
    const std::string before = slurp(tmp.file("bob/INBOX"));
    const std::string big = entry("Subject: two\r\n\r\n" + std::string(8192, 'x') + "\r\n");
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {  // the child: a file size limit just above the mbox as it is
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{static_cast<rlim_t>(before.size() + 100), RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            append_mbox(tmp.file("bob"), big, writer, kNoWait);
        } catch (const orou::SysError& e) {
            ::_exit(e.code() == EFBIG ? 0 : 2);
        }
        ::_exit(1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the append did not fail with EFBIG";
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), before);
}

TEST(Mbox, AFreshDotLockOfAnotherHolderIsATemporaryFailureAndIsLeftAlone) {
    orou::test::TempDir tmp;
    ::mkdir(tmp.file("bob").c_str(), 0700);
    tmp.write("bob/INBOX.lock", "");
    Writer writer;
    try {
        append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), writer, kNoWait);
        ADD_FAILURE() << "delivered through a held lock";
    } catch (const orou::SysError& e) {
        EXPECT_EQ(e.code(), EAGAIN);
    }
    EXPECT_TRUE(orou::test::exists(tmp.file("bob/INBOX.lock")));
    EXPECT_FALSE(orou::test::exists(tmp.file("bob/INBOX")));
}

TEST(Mbox, ADotLockReleasedWhileADeliveryWaitsIsTakenAndTheMessageDelivered) {
    orou::test::TempDir tmp;
    ::mkdir(tmp.file("bob").c_str(), 0700);
    const std::string lock = tmp.file("bob/INBOX.lock");
    tmp.write("bob/INBOX.lock", "");  // fresh: another holder's
    std::thread holder([&] {          // lets go while the delivery waits
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ::unlink(lock.c_str());
    });
    Writer writer;
    const LockTimes wait{std::chrono::seconds(10), std::chrono::seconds(300)};
    EXPECT_NO_THROW(append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), writer, wait));
    holder.join();
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), entry("Subject: x\r\n"));
    EXPECT_FALSE(orou::test::exists(lock));
}

TEST(Mbox, AStaleDotLockIsRemoved) {
    orou::test::TempDir tmp;
    ::mkdir(tmp.file("bob").c_str(), 0700);
    const std::string lock = tmp.file("bob/INBOX.lock");
    tmp.write("bob/INBOX.lock", "");
    timespec old[2] = {{::time(nullptr) - 600, 0}, {::time(nullptr) - 600, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, lock.c_str(), old, 0), 0);
    Writer writer;
    append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), writer, kNoWait);
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), entry("Subject: x\r\n"));
    EXPECT_FALSE(orou::test::exists(lock));
}

TEST(Mbox, AnFcntlLockHeldByAnotherProcessIsATemporaryFailure) {
    orou::test::TempDir tmp;
    Writer writer;
    append_mbox(tmp.file("bob"), entry("Subject: one\r\n"), writer, kNoWait);
    const std::string before = slurp(tmp.file("bob/INBOX"));
    orou::Pipe ready = orou::make_pipe(), release = orou::make_pipe();
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {  // the child locks the mbox until the parent closes `release`
        int fd = ::open((tmp.file("bob/INBOX")).c_str(), O_RDWR);
        struct flock fl {};
        fl.l_type = F_WRLCK;
        ::fcntl(fd, F_SETLK, &fl);
        release.write.reset();
        char c = 1;
        (void)!::write(ready.write.get(), &c, 1);
        (void)!::read(release.read.get(), &c, 1);
        ::_exit(0);
    }
    orou::Child child(pid);
    ready.write.reset();
    release.read.reset();
    char c;
    ASSERT_EQ(::read(ready.read.get(), &c, 1), 1);
    EXPECT_THROW(append_mbox(tmp.file("bob"), entry("Subject: two\r\n"), writer, kNoWait), orou::SysError);
    release.write.reset();
    child.wait();
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), before);
    EXPECT_FALSE(orou::test::exists(tmp.file("bob/INBOX.lock")));
}

TEST(Mbox, AnInboxThatIsASymbolicLinkIsRefused) {
    orou::test::TempDir tmp;
    ::mkdir(tmp.file("bob").c_str(), 0700);
    tmp.write("target", "");
    ASSERT_EQ(::symlink((tmp.file("target")).c_str(), (tmp.file("bob/INBOX")).c_str()), 0);
    Writer writer;
    EXPECT_THROW(append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), writer, kNoWait), UnsafeMailbox);
    EXPECT_EQ(slurp(tmp.file("target")), "");
}

TEST(Mbox, AnInboxWithASecondHardLinkIsRefusedAndBothNamesStayAsTheyWere) {
    orou::test::TempDir tmp;
    ::mkdir(tmp.file("bob").c_str(), 0700);
    tmp.write("bob/INBOX", "From a@x Thu Jan  1 00:00:00 1970\n\nold\n\n");
    ASSERT_EQ(::link(tmp.file("bob/INBOX").c_str(), tmp.file("elsewhere").c_str()), 0);
    const std::string before = slurp(tmp.file("bob/INBOX"));
    Writer writer;
    EXPECT_THROW(append_mbox(tmp.file("bob"), entry("Subject: x\r\n"), writer, kNoWait), UnsafeMailbox);
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")), before);
    EXPECT_EQ(slurp(tmp.file("elsewhere")), before);
    EXPECT_FALSE(orou::test::exists(tmp.file("bob/INBOX.lock")));
}

TEST(Mbox, AnInboxThatIsAFifoOrADirectoryIsRefused) {
    orou::test::TempDir tmp;
    Writer writer;
    ::mkdir(tmp.file("fifo").c_str(), 0700);
    ASSERT_EQ(::mkfifo(tmp.file("fifo/INBOX").c_str(), 0600), 0);
    EXPECT_THROW(append_mbox(tmp.file("fifo"), entry("Subject: x\r\n"), writer, kNoWait), UnsafeMailbox);
    ::mkdir(tmp.file("dir").c_str(), 0700);
    ::mkdir(tmp.file("dir/INBOX").c_str(), 0700);
    EXPECT_THROW(append_mbox(tmp.file("dir"), entry("Subject: x\r\n"), writer, kNoWait), UnsafeMailbox);
    EXPECT_EQ(orou::test::count_files(tmp.file("dir/INBOX")), 0u);
}
