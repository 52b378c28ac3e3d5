// Bugs the fuzzers in tests/fuzz/ found, kept as plain tests (their inputs
// are also in tests/fuzz/corpus/, replayed by every fuzz run).
#include <gtest/gtest.h>

#include "smtp/address.hpp"

using orou::smtp::normalize_domain;

// command fuzzer: "le.le.W.." normalised to "le.le.w.", which normalised
// again to "le.le.w": one trailing dot is dropped, a second one left an
// empty last label behind.
TEST(FuzzRegression, ADomainEndingInTwoDotsIsRefused) {
    EXPECT_FALSE(normalize_domain("example.com.."));
    EXPECT_FALSE(normalize_domain("le.le.W.."));
    EXPECT_EQ(normalize_domain("EXAMPLE.com."), "example.com");
    EXPECT_FALSE(normalize_domain("."));
}
