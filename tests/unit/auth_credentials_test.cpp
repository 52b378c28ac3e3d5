#include "auth/credentials.hpp"

#include <sys/stat.h>
#include <sysexits.h>

#include <gtest/gtest.h>

#include "auth_temp_dir.hpp"
#include "base/error.hpp"

using orou::ConfigError;
using orou::ExitError;
using orou::auth::CredentialStore;
using orou::auth::Secret;
using orou::auth::valid_user_name;
using orou::test::TempDir;

namespace {

const std::string kOriginal =
    R"({"asdf": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk="}})";

// user "pw" with password "pw", salt 00..0f, PBKDF2 with 1000 rounds.
const std::string kCheap =
    R"({"work_factor": 1000, "pw": {"salt": "AAECAwQFBgcICQoLDA0ODw==", "hash": "aevghbexzC3BA5lXCTam+bgliJkC9icwuXWcCKZxj40="}})";

CredentialStore cheap_store() { return CredentialStore::parse(kCheap, "test"); }

std::string load_error(const std::string& json) {
    try {
        (void)CredentialStore::parse(json, "creds.json");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Credentials, TheOriginalFileVerifiesAsdfAsdf) {
    auto store = CredentialStore::parse(kOriginal, "test");
    EXPECT_TRUE(store.verify("asdf", Secret("asdf")));
    EXPECT_EQ(store.work_factor(), 100000);
}

TEST(Credentials, AWrongPasswordIsRefused) {
    auto store = CredentialStore::parse(kOriginal, "test");
    EXPECT_FALSE(store.verify("asdf", Secret("asdg")));
    EXPECT_FALSE(store.verify("asdf", Secret("")));
}

TEST(Credentials, AnUnknownUserIsRefused) {
    auto store = CredentialStore::parse(kOriginal, "test");
    EXPECT_FALSE(store.verify("nobody", Secret("asdf")));
    EXPECT_FALSE(store.verify("", Secret("asdf")));
}

TEST(Credentials, TheWorkFactorIsHonoured) {
    auto store = cheap_store();
    EXPECT_EQ(store.work_factor(), 1000);
    EXPECT_TRUE(store.verify("pw", Secret("pw")));
    store.set_work_factor(1001);
    EXPECT_FALSE(store.verify("pw", Secret("pw")));
}

TEST(Credentials, WorkFactorIsATopLevelKeyAndNotAUser) {
    auto store = cheap_store();
    EXPECT_EQ(store.users(), std::vector<std::string>{"pw"});
    EXPECT_FALSE(store.contains("work_factor"));
    EXPECT_FALSE(store.verify("work_factor", Secret("1000")));
}

TEST(Credentials, SetGivesANewUserARandomSaltAndAVerifiableHash) {
    auto store = cheap_store();
    store.set("bob", Secret("bob's"));
    store.set("eve", Secret("bob's"));
    EXPECT_TRUE(store.verify("bob", Secret("bob's")));
    EXPECT_FALSE(store.verify("bob", Secret("bob")));
    auto json = store.to_json();
    auto again = CredentialStore::parse(json, "again");
    EXPECT_TRUE(again.verify("eve", Secret("bob's")));
    EXPECT_EQ(json.find("\"salt\": \"AAECAwQFBgcICQoLDA0ODw==\""),
              json.rfind("\"salt\": \"AAECAwQFBgcICQoLDA0ODw==\""));
}

TEST(Credentials, RemoveForgetsOnlyThatUser) {
    auto store = cheap_store();
    store.set("bob", Secret("b"));
    EXPECT_TRUE(store.remove("bob"));
    EXPECT_FALSE(store.remove("bob"));
    EXPECT_EQ(store.users(), std::vector<std::string>{"pw"});
}

TEST(Credentials, SaveKeepsOtherUsersAndTheWorkFactorWithMode0600) {
    TempDir dir;
    auto path = dir.write("creds.json", kCheap);
    auto store = CredentialStore::load(path);
    store.set("bob", Secret("b"));
    store.save(path);
    auto back = CredentialStore::load(path);
    EXPECT_EQ(back.work_factor(), 1000);
    EXPECT_TRUE(back.verify("pw", Secret("pw")));
    EXPECT_TRUE(back.verify("bob", Secret("b")));
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(Credentials, SaveLeavesNoTemporaryFileBehind) {
    TempDir dir;
    CredentialStore().save(dir.file("creds.json"));
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1);
}

TEST(Credentials, AStoreWithoutWorkFactorSavesNone) {
    auto store = CredentialStore::parse(kOriginal, "test");
    EXPECT_EQ(store.to_json().find("work_factor"), std::string::npos);
}

TEST(Credentials, LoadNamesTheFileWhenItCannotBeRead) {
    TempDir dir;
    try {
        (void)CredentialStore::load(dir.file("missing.json"));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
    }
}

TEST(Credentials, InvalidJsonIsAConfigErrorThatSaysSo) {
    EXPECT_NE(load_error("{\"asdf\": ").find("creds.json: not valid JSON"), std::string::npos);
    EXPECT_NE(load_error("[1, 2]").find("not a JSON object"), std::string::npos);
}

TEST(Credentials, BadEntriesAreConfigErrorsNamingTheUser) {
    EXPECT_NE(load_error(R"({"bob": 3})").find("\"bob\""), std::string::npos);
    EXPECT_NE(load_error(R"({"bob": {"salt": "AAAA"}})").find("\"hash\""), std::string::npos);
    EXPECT_NE(load_error(R"({"bob": {"salt": "A*AA", "hash": "AAAA"}})").find("base64"), std::string::npos);
    EXPECT_NE(load_error(R"({"bob": {"salt": "AAAA", "hash": "AAAA"}})").find("length"), std::string::npos);
    EXPECT_NE(load_error(R"({"work_factor": "many"})").find("work_factor"), std::string::npos);
    EXPECT_NE(load_error(R"({"work_factor": 0})").find("work_factor"), std::string::npos);
    EXPECT_NE(load_error(R"({"a\u0001b": {}})").find("invalid user name a\\x01b"), std::string::npos);
}

TEST(Credentials, UserNamesMustBeNonEmptyPrintableAndShort) {
    EXPECT_TRUE(valid_user_name("asdf"));
    EXPECT_TRUE(valid_user_name("b\xc3\xa9o@example.org"));
    EXPECT_TRUE(valid_user_name(std::string(255, 'u')));
    EXPECT_FALSE(valid_user_name(""));
    EXPECT_FALSE(valid_user_name(std::string(256, 'u')));
    EXPECT_FALSE(valid_user_name(std::string("a\0b", 3)));
    EXPECT_FALSE(valid_user_name("a\nb"));
    EXPECT_FALSE(valid_user_name("a\x7f"));
    EXPECT_FALSE(valid_user_name("\xff\xfe"));
    EXPECT_FALSE(valid_user_name("work_factor"));
}

TEST(Credentials, SetRefusesAnInvalidUserNameAsADataError) {
    CredentialStore store;
    try {
        store.set("a\tb", Secret("x"));
        FAIL() << "no error";
    } catch (const ExitError& e) {
        EXPECT_EQ(e.status(), EX_DATAERR);
    }
    EXPECT_TRUE(store.users().empty());
}

const std::string kWithSenders =
    R"({"work_factor": 1000, "pw": {"salt": "AAECAwQFBgcICQoLDA0ODw==", "hash": "aevghbexzC3BA5lXCTam+bgliJkC9icwuXWcCKZxj40=",
        "senders": ["Pw@Example.org", "@example.net", "example.com", "pw@example.org"]}})";

TEST(Credentials, SendersAreReadNormalizedAndAnOldFileHasNone) {
    auto store = CredentialStore::parse(kWithSenders, "test");
    EXPECT_EQ(store.senders("pw"), (std::vector<std::string>{"pw@example.org", "@example.net", "@example.com"}));
    EXPECT_TRUE(store.verify("pw", Secret("pw")));
    EXPECT_TRUE(cheap_store().senders("pw").empty());
    EXPECT_TRUE(store.senders("nobody").empty());
}

TEST(Credentials, SendersAreWrittenOnlyForUsersThatHaveThem) {
    auto store = CredentialStore::parse(kWithSenders, "test");
    store.set("bob", Secret("b"));
    auto json = store.to_json();
    EXPECT_NE(json.find(R"("senders": [
            "pw@example.org",
            "@example.net",
            "@example.com"
        ])"),
              std::string::npos)
        << json;
    EXPECT_EQ(json.find("senders"), json.rfind("senders"));
    EXPECT_EQ(CredentialStore::parse(json, "again").senders("pw"), store.senders("pw"));
    store.set_senders("pw", {});
    EXPECT_EQ(store.to_json().find("senders"), std::string::npos);
}

TEST(Credentials, ANewPasswordKeepsTheSenders) {
    auto store = CredentialStore::parse(kWithSenders, "test");
    store.set("pw", Secret("new"));
    EXPECT_TRUE(store.verify("pw", Secret("new")));
    EXPECT_EQ(store.senders("pw").size(), 3u);
}

TEST(Credentials, SetSendersRefusesAMissingUserABadEntryOrTooMany) {
    auto store = cheap_store();
    auto status = [&](const std::vector<std::string>& senders, const std::string& user = "pw") {
        try {
            store.set_senders(user, senders);
        } catch (const ExitError& e) {
            return e.status();
        }
        return 0;
    };
    EXPECT_EQ(status({"a@b.example"}, "nobody"), EX_NOUSER);
    EXPECT_EQ(status({"a@b.example", "not an address"}), EX_DATAERR);
    std::vector<std::string> many;
    for (int i = 0; i <= 100; ++i) many.push_back("u" + std::to_string(i) + "@example.org");
    EXPECT_EQ(status(many), EX_DATAERR);
    EXPECT_TRUE(store.senders("pw").empty());
    many.pop_back();
    EXPECT_EQ(status(many), 0);
    EXPECT_EQ(store.senders("pw").size(), 100u);
}

TEST(Credentials, BadSendersAreConfigErrorsNamingTheUser) {
    const std::string head =
        R"({"bob": {"salt": "dExNPiUB4fBd39dXxiGLvA==", "hash": "Ow5nPPcyWgy11lUmF/rK45aReQVTMXsiJ237PZKmbBk=", )";
    EXPECT_NE(load_error(head + R"("senders": "a@b.example"}})").find("user \"bob\": \"senders\" must be an array"),
              std::string::npos);
    EXPECT_NE(load_error(head + R"("senders": ["a@b.example", 3]}})").find("user \"bob\": \"senders\" holds"),
              std::string::npos);
    EXPECT_NE(load_error(head + R"("senders": ["a b@c.example"]}})").find("user \"bob\""), std::string::npos);
    std::string many = head + R"("senders": [)";
    for (int i = 0; i <= 100; ++i) many += (i ? ", \"u" : "\"u") + std::to_string(i) + "@example.org\"";
    EXPECT_NE(load_error(many + "]}}").find("at most 100"), std::string::npos);
}
