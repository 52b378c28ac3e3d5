#include <gtest/gtest.h>

#include <set>
#include <string>

#include "log/log.hpp"

namespace log = orou::log;

TEST(LogId, SixteenLowerCaseHexDigitsAndNewEachTime) {
    std::set<std::string> seen;
    for (int i = 0; i < 64; ++i) {
        const std::string id = log::new_id();
        EXPECT_EQ(id.size(), 16u);
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 64u);
}
