#include "auth/base64.hpp"

#include <gtest/gtest.h>

using orou::auth::base64_decode;
using orou::auth::base64_decode_secret;
using orou::auth::base64_encode;

TEST(Base64, EncodesWithPaddingForEachRemainder) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesToTheExactLengthAccountingForPadding) {
    EXPECT_EQ(base64_decode("Zg=="), "f");
    EXPECT_EQ(base64_decode("Zm8="), "fo");
    EXPECT_EQ(base64_decode("Zm9v"), "foo");
    EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
}

TEST(Base64, DecodesEmptyInputToEmpty) {
    auto out = base64_decode("");
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, "");
}

TEST(Base64, KeepsNulAndHighBytesThroughARoundTrip) {
    std::string bytes("\0\xff\x01\x80 a\0", 7);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

TEST(Base64, RejectsALengthThatIsNotAMultipleOfFour) {
    EXPECT_FALSE(base64_decode("Zg="));
    EXPECT_FALSE(base64_decode("Zm9vY"));
    EXPECT_FALSE(base64_decode("Z"));
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
    EXPECT_FALSE(base64_decode("Zm9*"));
    EXPECT_FALSE(base64_decode("Zm9-"));  // the URL alphabet is not ours
    EXPECT_FALSE(base64_decode(std::string("Zm\0v", 4)));
}

TEST(Base64, RejectsWhitespaceAnywhere) {
    EXPECT_FALSE(base64_decode(" Zm9v"));
    EXPECT_FALSE(base64_decode("Zm9v\n"));
    EXPECT_FALSE(base64_decode("Zm 9v"));
}

TEST(Base64, RejectsPaddingOutOfPlace) {
    EXPECT_FALSE(base64_decode("Z==="));
    EXPECT_FALSE(base64_decode("===="));
    EXPECT_FALSE(base64_decode("Zg==Zm9v"));
    EXPECT_FALSE(base64_decode("Zm=v"));
}

TEST(Base64, DecodesIntoASecretWithTheSameRules) {
    auto s = base64_decode_secret("YXNkZg==");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->view(), "asdf");
    EXPECT_FALSE(base64_decode_secret("YXNkZg="));
    auto empty = base64_decode_secret("");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}
