#include "deliver/maildir.hpp"

#include <unistd.h>

#include <regex>

#include <gtest/gtest.h>

#include "deliver/message_format.hpp"
#include "deliver_test_util.hpp"

using namespace orou::deliver;
using orou::test::count_files;
using orou::test::slurp;

TEST(Maildir, DeliveryCreatesTmpNewAndCurPrivately) {
    orou::test::TempDir tmp;
    Writer writer;
    (void)deliver_maildir(tmp.file("bob"), "Subject: x\n", writer, "mx.example");
    for (const char* dir : {"bob", "bob/tmp", "bob/new", "bob/cur"})
        EXPECT_EQ(orou::test::mode_of(tmp.file(dir)), 0700u) << dir;
}

TEST(Maildir, TheMessageLandsInNewAndNothingStaysInTmp) {
    orou::test::TempDir tmp;
    Writer writer;
    const std::string text = maildir_text("a@x.example", "bob@home.example", "Subject: x\r\n\r\nFrom me\r\n");
    const std::string path = deliver_maildir(tmp.file("bob"), text, writer, "mx.example");
    EXPECT_EQ(path.rfind(tmp.file("bob/new/"), 0), 0u);
    EXPECT_EQ(slurp(path), "Return-Path: <a@x.example>\nDelivered-To: bob@home.example\nSubject: x\n\nFrom me\n");
    EXPECT_EQ(orou::test::mode_of(path), 0600u);
    EXPECT_EQ(count_files(tmp.file("bob/tmp")), 0u);
}

TEST(Maildir, UniqueNamesFollowTheSpecAndEscapeSlashAndColon) {
    const std::string name = unique_name("mx/a:b.example");
    EXPECT_TRUE(std::regex_match(name, std::regex(R"(\d+\.M\d+P\d+R[0-9a-f]{16}\.mx\\057a\\072b\.example)"))) << name;
    EXPECT_NE(unique_name("mx"), unique_name("mx"));
}

TEST(Maildir, TwoDeliveriesGiveTwoFiles) {
    orou::test::TempDir tmp;
    Writer writer;
    (void)deliver_maildir(tmp.file("bob"), "Subject: one\n", writer, "mx");
    (void)deliver_maildir(tmp.file("bob"), "Subject: two\n", writer, "mx");
    EXPECT_EQ(count_files(tmp.file("bob/new")), 2u);
}

TEST(Maildir, AFailedWriteLeavesNoFileInTmpOrNew) {
    orou::test::TempDir tmp;
    orou::test::FailingWriter full;
    full.budget = 3;
    EXPECT_THROW((void)deliver_maildir(tmp.file("bob"), "Subject: x\n", full, "mx"), orou::SysError);
    EXPECT_EQ(count_files(tmp.file("bob/tmp")), 0u);
    EXPECT_EQ(count_files(tmp.file("bob/new")), 0u);
}

TEST(Maildir, AFailedFsyncOfTheFileOrOfADirectoryLeavesNoFile) {
    orou::test::TempDir tmp;
    Writer good;
    ensure_maildir(tmp.file("bob"), good);  // later syncs: the file, new/, tmp/
    for (int failing = 1; failing <= 3; ++failing) {
        orou::test::FailingWriter failing_writer;
        failing_writer.failing_sync = failing;
        EXPECT_THROW((void)deliver_maildir(tmp.file("bob"), "Subject: x\n", failing_writer, "mx"), orou::SysError);
        EXPECT_EQ(count_files(tmp.file("bob/tmp")), 0u) << "sync " << failing;
        EXPECT_EQ(count_files(tmp.file("bob/new")), 0u) << "sync " << failing;
    }
}

TEST(Maildir, AFileWhereTheMaildirShouldBeIsAFailure) {
    orou::test::TempDir tmp;
    tmp.write("bob", "");
    Writer writer;
    EXPECT_THROW((void)deliver_maildir(tmp.file("bob"), "Subject: x\n", writer, "mx"), orou::SysError);
}
