#include "smtp/address.hpp"

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "route/router.hpp"

using orou::smtp::parse_path;
using orou::smtp::PathError;

TEST(Address, LenientFormsThatPeopleTypeParse) {
    auto p = parse_path(" FROM: test@Example.COM", "FROM", true);
    ASSERT_TRUE(p.path);
    EXPECT_EQ(p.path->address.local, "test");
    EXPECT_EQ(p.path->address.domain, "example.com");
    auto q = parse_path("to:<another_test@example.com>", "TO", false);
    ASSERT_TRUE(q.path);
    EXPECT_EQ(q.path->address.str(), "another_test@example.com");
}

TEST(Address, TheNullSenderIsAllowedOnlyWhereAsked) {
    EXPECT_TRUE(parse_path("FROM:<>", "FROM", true).path->address.null());
    EXPECT_EQ(parse_path("TO:<>", "TO", false).error, PathError::BadAddress);
}

TEST(Address, ParametersAreSplitAndUpperCased) {
    auto p = parse_path("FROM:<a@b.example> size=100 BODY=8BITMIME", "FROM", true);
    ASSERT_TRUE(p.path);
    ASSERT_EQ(p.path->params.size(), 2u);
    EXPECT_EQ(p.path->params[0].first, "SIZE");
    EXPECT_EQ(p.path->params[0].second, "100");
}

TEST(Address, SourceRoutesAreDroppedAndTheMailboxKept) {
    auto p = parse_path("TO:<@relay.example,@other.example:user@final.example>", "TO", false);
    ASSERT_TRUE(p.path);
    EXPECT_EQ(p.path->address.domain, "final.example");
}

TEST(Address, BadAddressesAreRefused) {
    EXPECT_EQ(parse_path("TO:<no-at-sign>", "TO", false).error, PathError::BadAddress);
    EXPECT_EQ(parse_path("TO:<a@bad..domain>", "TO", false).error, PathError::BadAddress);
    EXPECT_EQ(parse_path("TO:<a b@c.example>", "TO", false).error, PathError::BadAddress);
    EXPECT_EQ(parse_path("TO <a@b.example>", "TO", false).error, PathError::Syntax);
    EXPECT_EQ(parse_path("TO:<a@b.example", "TO", false).error, PathError::Syntax);
}

TEST(Address, QuotedLocalPartsKeepTheirAtSign) {
    auto p = parse_path("TO:<\"user@other.example\"@example.com>", "TO", false);
    ASSERT_TRUE(p.path);
    EXPECT_EQ(p.path->address.domain, "example.com");
    EXPECT_EQ(p.path->address.local, "\"user@other.example\"");
}

TEST(Address, QuotedLocalPartsEscapeTheirQuotes) {
    // Found by the command fuzzer: an unescaped quote inside let "a">"b"
    // parse without brackets, and then not parse again inside them.
    EXPECT_EQ(parse_path("TO:\"a\">\"b\"@example.com", "TO", false).error, PathError::BadAddress);
    EXPECT_EQ(parse_path("TO:<\"a\\\"@example.com>", "TO", false).error, PathError::Syntax);
    auto p = parse_path("TO:<\"a\\\"b\\\\\"@example.com>", "TO", false);
    ASSERT_TRUE(p.path);
    EXPECT_EQ(p.path->address.local, "\"a\\\"b\\\\\"");
}

TEST(Router, FollowsTheRelayRule) {
    orou::route::Router r({{"Example.com."}, {"home.example"}});
    auto addr = [](const char* l, const char* d) { return orou::smtp::Address{l, d}; };
    EXPECT_EQ(r.route(addr("a", "example.com"), false), orou::route::Kind::Local);
    EXPECT_EQ(r.route(addr("a", "home.example"), false), orou::route::Kind::Forward);
    EXPECT_EQ(r.route(addr("a", "other.example"), false), std::nullopt);
    EXPECT_EQ(r.route(addr("a", "other.example"), true), orou::route::Kind::Relay);
}

TEST(Router, RelayTricksInOwnDomainsAreDeniedToStrangers) {
    orou::route::Router r({{"example.com"}, {}});
    EXPECT_EQ(r.route({"user%other.example", "example.com"}, false), std::nullopt);
    EXPECT_EQ(r.route({"other.example!user", "example.com"}, false), std::nullopt);
    EXPECT_EQ(r.route({"\"user@other.example\"", "example.com"}, false), std::nullopt);
}

TEST(Router, ADomainRoutedNowhereIsAConfigurationErrorNamingIt) {
    using orou::route::require_routes;
    const orou::route::Domains d{{"Example.com"}, {"home.example"}};
    EXPECT_NO_THROW(require_routes(d, {true, true}));
    try {
        require_routes(d, {false, true});
        FAIL() << "a delivery domain without a local stage was taken";
    } catch (const orou::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("example.com"), std::string::npos);
    }
    EXPECT_THROW(require_routes(d, {true, false}), orou::ConfigError);
    // a forward domain that is also delivered locally has its route
    EXPECT_NO_THROW(require_routes({{"example.com"}, {"EXAMPLE.com"}}, {true, false}));
    EXPECT_NO_THROW(require_routes({}, {false, false}));
}
