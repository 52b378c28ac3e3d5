#include "auth/mkcreds.hpp"

#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>

#include "auth/credentials.hpp"
#include "auth/password_input.hpp"
#include "auth_temp_dir.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"

using namespace orou::auth;
using orou::test::TempDir;

namespace {

const std::string kCheap =
    R"({"work_factor": 1000, "pw": {"salt": "AAECAwQFBgcICQoLDA0ODw==", "hash": "aevghbexzC3BA5lXCTam+bgliJkC9icwuXWcCKZxj40="}})";

struct Run {
    int status = -1;
    std::string out;
    int asked = 0;
};

Run mkcreds(const std::string& file, const std::string& command, const std::string& user = "",
            const std::string& password = "secret") {
    Run r;
    std::ostringstream out;
    MkcredsOptions opt{file, command, user, true};
    AskPassword ask = [&] {
        ++r.asked;
        return Secret(password);
    };
    try {
        r.status = mkcreds_main(opt, ask, out);
    } catch (const orou::ExitError& e) {
        r.status = e.status();
    } catch (const orou::ConfigError&) {
        r.status = EX_CONFIG;
    }
    r.out = out.str();
    return r;
}

Secret password_from(const std::string& input) {
    orou::Pipe p = orou::make_pipe();
    orou::write_all(p.write.get(), input, "write");
    p.write.reset();
    return read_password_line(p.read.get());
}

}  // namespace

TEST(Mkcreds, AddCreatesAMissingFileWithMode0600) {
    TempDir dir;
    auto file = dir.file("creds.json");
    EXPECT_EQ(mkcreds(file, "add", "bob").status, EX_OK);
    EXPECT_TRUE(CredentialStore::load(file).verify("bob", Secret("secret")));
    struct stat st;
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(Mkcreds, AddKeepsOtherUsersAndTheWorkFactor) {
    TempDir dir;
    auto file = dir.write("creds.json", kCheap);
    EXPECT_EQ(mkcreds(file, "add", "bob").status, EX_OK);
    auto store = CredentialStore::load(file);
    EXPECT_EQ(store.work_factor(), 1000);
    EXPECT_TRUE(store.verify("pw", Secret("pw")));
    EXPECT_TRUE(store.verify("bob", Secret("secret")));
}

TEST(Mkcreds, AddRefusesAnExistingUserBeforeAskingForAPassword) {
    TempDir dir;
    auto file = dir.write("creds.json", kCheap);
    auto r = mkcreds(file, "add", "pw");
    EXPECT_EQ(r.status, EX_DATAERR);
    EXPECT_EQ(r.asked, 0);
    EXPECT_EQ(orou::test::slurp(file), kCheap);
}

TEST(Mkcreds, PasswdChangesAnExistingUserAndRefusesAMissingOne) {
    TempDir dir;
    auto file = dir.write("creds.json", kCheap);
    EXPECT_EQ(mkcreds(file, "passwd", "pw", "new").status, EX_OK);
    EXPECT_TRUE(CredentialStore::load(file).verify("pw", Secret("new")));
    auto r = mkcreds(file, "passwd", "bob");
    EXPECT_EQ(r.status, EX_NOUSER);
    EXPECT_EQ(r.asked, 0);
}

TEST(Mkcreds, DelRemovesTheUserAndRefusesAMissingOne) {
    TempDir dir;
    auto file = dir.write("creds.json", kCheap);
    EXPECT_EQ(mkcreds(file, "del", "pw").status, EX_OK);
    EXPECT_TRUE(CredentialStore::load(file).users().empty());
    EXPECT_EQ(CredentialStore::load(file).work_factor(), 1000);
    EXPECT_EQ(mkcreds(file, "del", "pw").status, EX_NOUSER);
}

TEST(Mkcreds, ListPrintsUsersOneALineInOrder) {
    TempDir dir;
    auto file = dir.write("creds.json", kCheap);
    ASSERT_EQ(mkcreds(file, "add", "alice").status, EX_OK);
    auto r = mkcreds(file, "list");
    EXPECT_EQ(r.status, EX_OK);
    EXPECT_EQ(r.out, "alice\npw\n");
}

TEST(Mkcreds, CommandsOtherThanAddNeedAnExistingFile) {
    TempDir dir;
    EXPECT_EQ(mkcreds(dir.file("none.json"), "list").status, EX_NOINPUT);
    EXPECT_EQ(mkcreds(dir.file("none.json"), "del", "bob").status, EX_NOINPUT);
    EXPECT_FALSE(std::filesystem::exists(dir.file("none.json")));
}

TEST(Mkcreds, BadUsageIsAUsageError) {
    TempDir dir;
    auto file = dir.write("creds.json", kCheap);
    EXPECT_EQ(mkcreds(file, "").status, EX_USAGE);
    EXPECT_EQ(mkcreds(file, "rename", "bob").status, EX_USAGE);
    EXPECT_EQ(mkcreds(file, "add").status, EX_USAGE);
    EXPECT_EQ(mkcreds(file, "list", "bob").status, EX_USAGE);
}

TEST(Mkcreds, AnInvalidUserNameIsADataError) {
    TempDir dir;
    auto file = dir.file("creds.json");
    EXPECT_EQ(mkcreds(file, "add", "a\nb").status, EX_DATAERR);
    EXPECT_EQ(mkcreds(file, "add", "work_factor").status, EX_DATAERR);
    EXPECT_EQ(mkcreds(file, "add", std::string(256, 'u')).status, EX_DATAERR);
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(Mkcreds, AFileThatIsNotValidIsLeftUntouched) {
    TempDir dir;
    auto file = dir.write("creds.json", "{not json");
    EXPECT_EQ(mkcreds(file, "add", "bob").status, EX_CONFIG);
    EXPECT_EQ(orou::test::slurp(file), "{not json");
}

TEST(PasswordInput, ReadsOneLineWithoutItsNewline) {
    EXPECT_EQ(password_from("hunter2\nmore\n").view(), "hunter2");
    EXPECT_EQ(password_from("hunter2\r\n").view(), "hunter2");
    EXPECT_EQ(password_from("no newline").view(), "no newline");
    EXPECT_EQ(password_from("with spaces \n").view(), "with spaces ");
}

TEST(PasswordInput, RefusesAnEmptyOrOverlongLine) {
    EXPECT_THROW(password_from("\n"), orou::ExitError);
    EXPECT_THROW(password_from(""), orou::ExitError);
    EXPECT_THROW(password_from(std::string(1025, 'p') + "\n"), orou::ExitError);
    EXPECT_EQ(password_from(std::string(1024, 'p') + "\n").size(), 1024u);
}
