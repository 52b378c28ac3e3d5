#include "auth/secret.hpp"

#include <gtest/gtest.h>

#include <type_traits>
#include <utility>

using orou::auth::Secret;

static_assert(!std::is_copy_constructible_v<Secret>, "a Secret is never copied");
static_assert(!std::is_copy_assignable_v<Secret>, "a Secret is never copied");
static_assert(std::is_nothrow_move_constructible_v<Secret>);

TEST(Secret, GivesItsBytesThroughView) {
    Secret s("hunter2");
    EXPECT_EQ(s.view(), "hunter2");
    EXPECT_EQ(s.size(), 7u);
}

TEST(Secret, LeavesNothingInTheMovedFromObject) {
    Secret a("hunter2");
    Secret b(std::move(a));
    EXPECT_EQ(b.view(), "hunter2");
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the promise under test
    EXPECT_EQ(a.view(), "");
}

TEST(Secret, MoveAssignmentReplacesTheOldBytes) {
    Secret a("one");
    Secret b("two");
    a = std::move(b);
    EXPECT_EQ(a.view(), "two");
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(Secret, TruncateShrinksWithoutTouchingTheKeptBytes) {
    Secret s = Secret::with_size(6);
    std::copy_n("abcdef", 6, s.bytes().data());
    s.truncate(3);
    EXPECT_EQ(s.view(), "abc");
    s.truncate(10);
    EXPECT_EQ(s.view(), "abc");
}

TEST(Secret, ComparesEqualOnlyForTheSameBytes) {
    EXPECT_TRUE(Secret("abc").equals(Secret("abc")));
    EXPECT_FALSE(Secret("abc").equals(Secret("abd")));
    EXPECT_FALSE(Secret("abc").equals(Secret("abcd")));
    EXPECT_TRUE(Secret().equals(Secret("")));
}
