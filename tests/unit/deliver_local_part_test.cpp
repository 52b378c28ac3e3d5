#include "deliver/local_part.hpp"

#include <gtest/gtest.h>

using orou::deliver::check_local_part;

TEST(LocalPart, IsThePartBeforeTheLastAt) {
    auto local = check_local_part("bob@home.example");
    EXPECT_TRUE(local.ok());
    EXPECT_EQ(local.name, "bob");
    EXPECT_EQ(check_local_part("a@b@home.example").name, "a@b");
}

TEST(LocalPart, AnAddressWithoutAnAtIsAllLocalPart) {
    auto local = check_local_part("bob");
    EXPECT_TRUE(local.ok());
    EXPECT_EQ(local.name, "bob");
}

TEST(LocalPart, CaseAndAPlusDetailAreKeptAsGiven) {
    EXPECT_EQ(check_local_part("Bob.Smith+lists@home.example").name, "Bob.Smith+lists");
    EXPECT_TRUE(check_local_part("Bob.Smith+lists@home.example").ok());
}

TEST(LocalPart, SixtyFourBytesAreAllowed) { EXPECT_TRUE(check_local_part(std::string(64, 'a') + "@x.example").ok()); }

TEST(LocalPart, AControlCharacterInTheDomainIsRefused) {
    EXPECT_FALSE(check_local_part("bob@x.example\nBcc: evil@y.example").ok());
}

class RefusedLocalPart : public testing::TestWithParam<std::string> {};

TEST_P(RefusedLocalPart, IsRefusedWithAReason) {
    auto local = check_local_part(GetParam() + "@home.example");
    EXPECT_FALSE(local.ok());
    ASSERT_NE(local.refusal, nullptr);
    EXPECT_NE(std::string(local.refusal), "");
}

INSTANTIATE_TEST_SUITE_P(ThatCouldLeaveTheDirectory, RefusedLocalPart,
                         testing::Values("", "..", "../evil", "a/b", "/etc", ".hidden", "a..b", "a\\b",
                                         std::string("a\0b", 3), "a\x01z", "a\x7fz", "\"a b\"", "a b", "caf\xc3\xa9",
                                         std::string(65, 'a')));
