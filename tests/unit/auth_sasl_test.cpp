#include "auth/sasl.hpp"

#include <gtest/gtest.h>

#include "auth/base64.hpp"

using namespace orou::auth;

namespace {

std::string plain(std::string_view authzid, std::string_view user, std::string_view password) {
    std::string m(authzid);
    m += '\0';
    m += user;
    m += '\0';
    m += password;
    return base64_encode(m);
}

}  // namespace

TEST(SaslPlain, DecodesUserAndPasswordWithoutAuthzid) {
    auto c = decode_plain(plain("", "asdf", "secret"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "");
    EXPECT_EQ(c->user, "asdf");
    EXPECT_EQ(c->password.view(), "secret");
}

TEST(SaslPlain, KeepsTheAuthzidForTheCallerToJudge) {
    auto c = decode_plain(plain("boss", "asdf", "secret"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "boss");
    EXPECT_EQ(c->user, "asdf");
}

TEST(SaslPlain, AUserActsOnlyAsItself) {
    EXPECT_TRUE(acts_as_itself(*decode_plain(plain("", "asdf", "secret"))));
    EXPECT_TRUE(acts_as_itself(*decode_plain(plain("asdf", "asdf", "secret"))));
    EXPECT_TRUE(acts_as_itself(*decode_plain("YXNkZgBhc2Rm")));  // "asdf\0asdf"
    EXPECT_FALSE(acts_as_itself(*decode_plain(plain("root@evil.example", "asdf", "asdf"))));
    EXPECT_FALSE(acts_as_itself(*decode_plain(plain("ASDF", "asdf", "asdf"))));
}

TEST(SaslPlain, DecodesTheRfc4616Example) {
    auto c = decode_plain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");  // "\0tim\0tanstaaftanstaaf"
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user, "tim");
    EXPECT_EQ(c->password.view(), "tanstaaftanstaaf");
}

TEST(SaslPlain, RejectsAMessageWithoutANul) {
    EXPECT_FALSE(decode_plain(base64_encode("asdf")));
    EXPECT_FALSE(decode_plain(base64_encode("asdfsecret")));
}

TEST(SaslPlain, AcceptsTheOriginalProgramsUserNulPasswordForm) {
    auto c = decode_plain("YXNkZgBhc2Rm");  // "asdf\0asdf"
    ASSERT_TRUE(c);
    EXPECT_EQ(c->authzid, "");
    EXPECT_EQ(c->user, "asdf");
    EXPECT_EQ(c->password.view(), "asdf");
    EXPECT_FALSE(decode_plain(base64_encode(std::string("\0secret", 7))));
    EXPECT_FALSE(decode_plain(base64_encode(std::string("asdf\0", 5))));
}

TEST(SaslPlain, RejectsAThirdNul) { EXPECT_FALSE(decode_plain(plain("", "asdf", std::string("sec\0ret", 7)))); }

TEST(SaslPlain, RejectsAnEmptyUserOrPassword) {
    EXPECT_FALSE(decode_plain(plain("", "", "secret")));
    EXPECT_FALSE(decode_plain(plain("", "asdf", "")));
}

TEST(SaslPlain, RejectsFieldsOver255Bytes) {
    std::string big(256, 'x');
    EXPECT_FALSE(decode_plain(plain(big, "asdf", "secret")));
    EXPECT_FALSE(decode_plain(plain("", big, "secret")));
    EXPECT_FALSE(decode_plain(plain("", "asdf", big)));
    EXPECT_TRUE(decode_plain(plain("", std::string(255, 'u'), std::string(255, 'p'))));
}

TEST(SaslPlain, RejectsTextThatIsNotBase64) {
    EXPECT_FALSE(decode_plain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm!"));
    EXPECT_FALSE(decode_plain("*"));
    EXPECT_FALSE(decode_plain(""));
}

TEST(SaslLogin, PromptsAreBase64OfUsernameAndPassword) {
    EXPECT_EQ(base64_decode(kLoginUserPrompt), "Username:");
    EXPECT_EQ(base64_decode(kLoginPasswordPrompt), "Password:");
}

TEST(SaslLogin, DecodesTheUserAndThePassword) {
    EXPECT_EQ(decode_login_user(base64_encode("asdf")), "asdf");
    auto p = decode_login_password(base64_encode("secret"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->view(), "secret");
}

TEST(SaslLogin, RejectsEmptyNulBearingOverlongOrBadFields) {
    EXPECT_FALSE(decode_login_user(""));
    EXPECT_FALSE(decode_login_user(base64_encode(std::string("a\0b", 3))));
    EXPECT_FALSE(decode_login_user(base64_encode(std::string(256, 'u'))));
    EXPECT_FALSE(decode_login_user("YXNkZg"));
    EXPECT_FALSE(decode_login_password(""));
    EXPECT_FALSE(decode_login_password(base64_encode(std::string("a\0b", 3))));
    EXPECT_FALSE(decode_login_password(base64_encode(std::string(256, 'p'))));
}
