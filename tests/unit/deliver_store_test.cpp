#include "deliver/store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "deliver/message_format.hpp"
#include "deliver_test_util.hpp"

using namespace orou::deliver;
using orou::test::count_files;
using orou::test::slurp;

namespace {

StoreConfig config(Layout layout, const orou::test::TempDir& tmp) {
    StoreConfig c;
    c.layout = layout;
    c.root = tmp.path();
    c.hostname = "mx.example";
    c.lock.wait = std::chrono::seconds(0);
    return c;
}

}  // namespace

TEST(FileStore, MboxLayoutWritesRootLocalPartInbox) {
    orou::test::TempDir tmp;
    Writer writer;
    FileStore store(config(Layout::Mbox, tmp), writer);
    auto r = store.deliver("a@x.example", "bob@home.example", "Subject: x\r\n");
    EXPECT_EQ(r.outcome, Outcome::Delivered);
    EXPECT_EQ(r.mailbox, tmp.file("bob/INBOX"));
    EXPECT_EQ(slurp(tmp.file("bob/INBOX")).rfind("From a@x.example ", 0), 0u);
}

TEST(FileStore, MaildirLayoutWritesOneMaildirPerLocalPart) {
    orou::test::TempDir tmp;
    Writer writer;
    FileStore store(config(Layout::Maildir, tmp), writer);
    EXPECT_EQ(store.deliver("", "bob@home.example", "Subject: x\r\n").outcome, Outcome::Delivered);
    EXPECT_EQ(store.deliver("", "carol@home.example", "Subject: x\r\n").outcome, Outcome::Delivered);
    EXPECT_EQ(count_files(tmp.file("bob/new")), 1u);
    EXPECT_EQ(count_files(tmp.file("carol/new")), 1u);
}

TEST(FileStore, SingleMaildirLayoutPutsEveryRecipientIntoTheOneMaildir) {
    orou::test::TempDir tmp;
    Writer writer;
    FileStore store(config(Layout::SingleMaildir, tmp), writer);
    EXPECT_EQ(store.deliver("", "bob@home.example", "Subject: x\r\n").outcome, Outcome::Delivered);
    EXPECT_EQ(store.deliver("", "carol@home.example", "Subject: x\r\n").outcome, Outcome::Delivered);
    EXPECT_EQ(count_files(tmp.file("new")), 2u);
    EXPECT_FALSE(orou::test::exists(tmp.file("bob")));
}

TEST(FileStore, ALinkedMailboxIsUnsafeAndNotWritten) {
    orou::test::TempDir tmp;
    Writer writer;
    FileStore mbox(config(Layout::Mbox, tmp), writer);
    ::mkdir(tmp.file("bob").c_str(), 0700);
    tmp.write("bob/INBOX", "");
    ASSERT_EQ(::link(tmp.file("bob/INBOX").c_str(), tmp.file("copy").c_str()), 0);
    auto r = mbox.deliver("", "bob@home.example", "Subject: x\r\n");
    EXPECT_EQ(r.outcome, Outcome::Unsafe);
    EXPECT_NE(r.error.find("2 hard links"), std::string::npos) << r.error;
    EXPECT_EQ(slurp(tmp.file("copy")), "");
    EXPECT_STREQ(outcome_name(r.outcome), "deferred");
    ASSERT_EQ(::mkdir(tmp.file("outside").c_str(), 0700), 0);
    ASSERT_EQ(::symlink(tmp.file("outside").c_str(), tmp.file("carol").c_str()), 0);
    FileStore maildir(config(Layout::Maildir, tmp), writer);
    EXPECT_EQ(maildir.deliver("", "carol@home.example", "Subject: x\r\n").outcome, Outcome::Unsafe);
    EXPECT_EQ(count_files(tmp.file("outside")), 0u);
}

TEST(FileStore, ARefusedLocalPartIsRefusedAndCreatesNothing) {
    orou::test::TempDir tmp;
    Writer writer;
    FileStore store(config(Layout::Mbox, tmp), writer);
    auto r = store.deliver("", "../evil@home.example", "Subject: x\r\n");
    EXPECT_EQ(r.outcome, Outcome::Refused);
    EXPECT_EQ(count_files(tmp.path()), 0u);
}

TEST(FileStore, NoSpaceLeftIsDiskFullAndOtherFailuresAreTemporary) {
    orou::test::TempDir tmp;
    orou::test::FailingWriter full;
    full.budget = 0;
    FileStore store(config(Layout::Mbox, tmp), full);
    auto r = store.deliver("", "bob@home.example", "Subject: x\r\n");
    EXPECT_EQ(r.outcome, Outcome::DiskFull);
    EXPECT_NE(r.error.find("No space left"), std::string::npos) << r.error;
    full.error = EIO;
    EXPECT_EQ(store.deliver("", "bob@home.example", "Subject: x\r\n").outcome, Outcome::Temporary);
}

TEST(FileStore, AMissingRootIsATemporaryFailure) {
    orou::test::TempDir tmp;
    Writer writer;
    StoreConfig c = config(Layout::Mbox, tmp);
    c.root = tmp.file("missing");
    FileStore store(c, writer);
    EXPECT_EQ(store.deliver("", "bob@home.example", "x\r\n").outcome, Outcome::Temporary);
    EXPECT_FALSE(orou::test::exists(tmp.file("missing")));
}
