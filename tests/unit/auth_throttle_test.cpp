// The per-address throttle of orouboros-authcheck --state-dir.
#include "auth/throttle.hpp"

#include <gtest/gtest.h>

#include "auth_temp_dir.hpp"

using namespace std::chrono_literals;
using orou::auth::Throttle;
using orou::auth::throttle_key;

TEST(Throttle, AddressesAreCountedByIPv4AddressAndIPv6Slash64) {
    EXPECT_EQ(throttle_key("192.0.2.7"), "v4:192.0.2.7");
    EXPECT_EQ(throttle_key("2001:db8:1:2:aaaa::1"), throttle_key("2001:db8:1:2:bbbb::2"));
    EXPECT_EQ(throttle_key("2001:db8:1:2::9"), "v6:2001:db8:1:2::/64");
    EXPECT_NE(throttle_key("2001:db8:1:2::1"), throttle_key("2001:db8:1:3::1"));
    EXPECT_EQ(throttle_key("::ffff:192.0.2.7"), "v4:192.0.2.7");
    EXPECT_EQ(throttle_key("local"), "local");
    EXPECT_EQ(throttle_key(""), "");
}

TEST(Throttle, AFreshAddressIsNeverKeptWaiting) {
    orou::test::TempDir dir;
    Throttle t(dir.path(), 1000ms, 15000ms);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(t.admit("192.0.2.7"), 0ms);
    EXPECT_EQ(t.admit(""), 0ms);
}

TEST(Throttle, EachFailureDoublesTheTurnAndParallelChecksQueue) {
    orou::test::TempDir dir;
    Throttle t(dir.path(), 1000ms, 15000ms);
    for (int i = 0; i < 3; ++i) t.failed("192.0.2.7");  // score 3: turns of 4 s
    EXPECT_NEAR(t.score("192.0.2.7"), 3.0, 0.01);
    auto first = t.admit("192.0.2.7"), second = t.admit("192.0.2.7"), third = t.admit("192.0.2.7");
    ASSERT_TRUE(first && second && third);
    EXPECT_EQ(*first, 0ms);
    EXPECT_NEAR(second->count(), 4000, 50);
    EXPECT_NEAR(third->count(), 8000, 50);
    auto fourth = t.admit("192.0.2.7");
    ASSERT_TRUE(fourth);
    EXPECT_NEAR(fourth->count(), 12000, 50);
    EXPECT_FALSE(t.admit("192.0.2.7").has_value()) << "a turn beyond the cap (16 s) is refused, not queued";
    EXPECT_EQ(t.admit("192.0.2.8"), 0ms) << "another address is not slowed";
}

TEST(Throttle, TheStateIsSharedByEveryProcessUsingTheDirectory) {
    orou::test::TempDir dir;
    {
        Throttle t(dir.path(), 500ms, 15000ms);
        t.failed("2001:db8::1");
        t.failed("2001:db8::2");  // the same /64
    }
    Throttle again(dir.path(), 500ms, 15000ms);
    EXPECT_NEAR(again.score("2001:db8::3"), 2.0, 0.01);
    EXPECT_NEAR(again.score("192.0.2.1"), 0.0, 0.01);
}

TEST(Throttle, AFileThatIsNotAThrottleFileIsStartedAfresh) {
    orou::test::TempDir dir;
    dir.write("throttle", "junk");
    Throttle t(dir.path(), 1000ms, 15000ms);
    EXPECT_EQ(t.admit("192.0.2.7"), 0ms);
    t.failed("192.0.2.7");
    EXPECT_NEAR(t.score("192.0.2.7"), 1.0, 0.01);
}
