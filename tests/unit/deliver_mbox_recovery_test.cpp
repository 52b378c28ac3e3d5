// An append cut short by SIGKILL is cut back by the next locker (or by
// --recover), and only when the mbox is as the dead holder left it.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "deliver/mbox.hpp"
#include "deliver/mbox_lock.hpp"
#include "deliver/message_format.hpp"
#include "deliver_test_util.hpp"

using namespace orou::deliver;
using orou::test::slurp;

namespace {

const LockTimes kNoWait{std::chrono::seconds(0), std::chrono::seconds(300)};
const std::string kOld = "From a@x Thu Jan  1 00:00:00 2026\nSubject: old\n\nold\n\n";

std::string entry(const std::string& subject) {
    return mbox_entry("a@x.example", "bob", "Subject: " + subject + "\r\n", 0);
}

std::string host() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

// A pid that is certainly not running: a child that has been reaped.
pid_t dead_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

struct Mailbox {
    orou::test::TempDir tmp;
    std::string dir = tmp.file("bob"), inbox = dir + "/INBOX", lock = inbox + ".lock";

    Mailbox() {
        ::mkdir(dir.c_str(), 0700);
        tmp.write("bob/INBOX", kOld);
    }
    struct stat stat_inbox() const {
        struct stat st {};
        ::stat(inbox.c_str(), &st);
        return st;
    }
    // The lock a holder killed after announcing `added` bytes leaves.
    void leave_lock(pid_t pid, off_t added, const std::string& who_host = host(), bool created = false) {
        auto st = stat_inbox();
        off_t size = created ? 0 : static_cast<off_t>(kOld.size());
        tmp.write("bob/INBOX.lock", std::to_string(pid) + "\norouboros-mbox-deliver host=" + who_host +
                                        " dev=" + std::to_string(st.st_dev) + " ino=" + std::to_string(st.st_ino) +
                                        " size=" + std::to_string(size) + " end=" + std::to_string(size + added) +
                                        " sep=0 created=" + (created ? "1" : "0") + "\n");
    }
    void append_raw(const std::string& bytes) { std::ofstream(inbox, std::ios::app) << bytes; }
};

// Writes the first half of what it is given, then waits for a kill.
class StallingWriter final : public Writer {
public:
    explicit StallingWriter(int ready_fd) : ready_(ready_fd) {}
    void write(int fd, std::string_view data) override {
        Writer::write(fd, data.substr(0, data.size() / 2));
        char c = 1;
        (void)!::write(ready_, &c, 1);
        ::pause();
    }

private:
    int ready_;
};

}  // namespace

TEST(MboxRecovery, AnAppendKilledHalfWayIsCutBackByTheNextDelivery) {
    Mailbox m;
    orou::Pipe ready = orou::make_pipe();
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        StallingWriter stalling(ready.write.get());
        append_mbox(m.dir, entry("killed"), stalling, kNoWait);
        ::_exit(1);
    }
    char c;
    ASSERT_EQ(::read(ready.read.get(), &c, 1), 1);
    EXPECT_NE(slurp(m.lock).find(" size=" + std::to_string(kOld.size()) + " "), std::string::npos)
        << "the lock announces the append before it starts: " << slurp(m.lock);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ASSERT_GT(slurp(m.inbox).size(), kOld.size()) << "half an entry is there";

    Writer writer;
    std::string repairs;
    append_mbox(m.dir, entry("next"), writer, kNoWait, &repairs);
    EXPECT_EQ(slurp(m.inbox), kOld + entry("next"));
    EXPECT_NE(repairs.find("cut " + m.inbox + " back"), std::string::npos) << repairs;
    EXPECT_FALSE(orou::test::exists(m.lock));
}

TEST(MboxRecovery, RecoverCutsBackWithoutDelivering) {
    Mailbox m;
    m.leave_lock(dead_pid(), 100);
    m.append_raw("From a@x.example Thu Jan  1 00:00:00 1970\nReturn-Pa");
    std::string note;
    EXPECT_EQ(recover_mbox(m.inbox, kNoWait, note), Repair::Repaired);
    EXPECT_EQ(slurp(m.inbox), kOld);
    EXPECT_FALSE(orou::test::exists(m.lock));
    EXPECT_EQ(recover_mbox(m.inbox, kNoWait, note), Repair::None);
}

TEST(MboxRecovery, AHolderKilledBeforeItWroteLeavesTheMboxAlone) {
    Mailbox m;
    m.tmp.write("bob/INBOX.lock", std::to_string(dead_pid()) + "\norouboros-mbox-deliver host=" + host() + "\n");
    std::string note;
    EXPECT_EQ(recover_mbox(m.inbox, kNoWait, note), Repair::Repaired);
    EXPECT_EQ(slurp(m.inbox), kOld);
    EXPECT_FALSE(orou::test::exists(m.lock));
}

TEST(MboxRecovery, AnMboxThatGrewPastTheAnnouncedEndIsLeftAlone) {
    Mailbox m;
    m.leave_lock(dead_pid(), 10);
    const std::string grown = kOld + "From someone else entirely, longer than announced\n";
    m.tmp.write("bob/INBOX", grown);
    std::string note;
    EXPECT_EQ(recover_mbox(m.inbox, kNoWait, note), Repair::Repaired);
    EXPECT_EQ(slurp(m.inbox), grown);
    EXPECT_NE(note.find("left " + m.inbox + " alone"), std::string::npos) << note;
    EXPECT_FALSE(orou::test::exists(m.lock));
}

TEST(MboxRecovery, BytesThatDoNotStartLikeAnEntryAreLeftAlone) {
    Mailbox m;
    m.leave_lock(dead_pid(), 100);
    m.append_raw("X-Status: written by a mail reader\n");
    std::string note;
    (void)recover_mbox(m.inbox, kNoWait, note);
    EXPECT_EQ(slurp(m.inbox), kOld + "X-Status: written by a mail reader\n");
}

TEST(MboxRecovery, AnMboxTheDeadHolderCreatedIsRemoved) {
    Mailbox m;
    m.tmp.write("bob/INBOX", "");
    m.leave_lock(dead_pid(), 100, host(), true);
    m.append_raw("From a@x.example Thu");
    std::string note;
    EXPECT_EQ(recover_mbox(m.inbox, kNoWait, note), Repair::Repaired);
    EXPECT_FALSE(orou::test::exists(m.inbox));
}

TEST(MboxRecovery, ALiveHolderOrAnotherHostsLockIsNeverTouched) {
    Mailbox m;
    for (const std::string& h : {host(), std::string("another.host")}) {
        m.leave_lock(h == host() ? ::getppid() : dead_pid(), 100, h);
        m.append_raw("From a@x.example Thu");
        const std::string before = slurp(m.inbox);
        std::string note;
        EXPECT_EQ(recover_mbox(m.inbox, kNoWait, note), Repair::Busy) << h;
        Writer writer;
        EXPECT_THROW(append_mbox(m.dir, entry("x"), writer, kNoWait), orou::SysError) << h;
        EXPECT_EQ(slurp(m.inbox), before) << h;
        EXPECT_TRUE(orou::test::exists(m.lock)) << h;
    }
}

TEST(MboxRecovery, ASuccessfulAppendRemovesItsLock) {
    Mailbox m;
    Writer writer;
    append_mbox(m.dir, entry("one"), writer, kNoWait);
    EXPECT_FALSE(orou::test::exists(m.lock)) << "removed once the append is synced";
    EXPECT_EQ(slurp(m.inbox), kOld + entry("one"));
}
