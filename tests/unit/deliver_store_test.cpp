#include "deliver/store.hpp"

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
