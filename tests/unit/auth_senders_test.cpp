// The envelope senders mapped to a user: the entries and the match rule.
#include "auth/senders.hpp"

#include <gtest/gtest.h>

using namespace orou::auth;
using orou::smtp::Address;

TEST(Senders, EntriesAreAddressesDomainsOrAStarNormalizedToLowerCase) {
    EXPECT_EQ(normalize_sender("Alice@Example.ORG"), "alice@example.org");
    EXPECT_EQ(normalize_sender("@Example.NET."), "@example.net");
    EXPECT_EQ(normalize_sender("example.net"), "@example.net");
    EXPECT_EQ(normalize_sender("*"), "*");
    EXPECT_EQ(normalize_sender("a@[192.0.2.1]"), "a@[192.0.2.1]");
}

TEST(Senders, OtherEntriesAreRefused) {
    for (std::string_view bad : {"", "@", "a@", "@a@b.example", "a b@c.example", "a@b.example>X", "a\t@b.example",
                                 "a@-b.example", "a@b..example", "**", "a@*"})
        EXPECT_EQ(normalize_sender(bad), std::nullopt) << bad;
    EXPECT_EQ(normalize_sender(std::string(60, 'a') + "@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                               std::string(63, 'd') + "." + "ee"),
              std::nullopt);  // 255 bytes
}

TEST(Senders, AddSenderKeepsOneOfEachAndRefusesABadOne) {
    std::vector<std::string> s;
    EXPECT_TRUE(add_sender(s, "a@b.example"));
    EXPECT_TRUE(add_sender(s, "A@B.example"));
    EXPECT_TRUE(add_sender(s, "b.example"));
    EXPECT_FALSE(add_sender(s, "not an address"));
    EXPECT_EQ(s, (std::vector<std::string>{"a@b.example", "@b.example"}));
}

TEST(Senders, AnAddressMatchesItselfInAnyCaseItsDomainOrTheStar) {
    const std::vector<std::string> map{"alice@example.org", "@example.net"};
    EXPECT_TRUE(sender_mapped(map, Address{"alice", "example.org"}));
    EXPECT_TRUE(sender_mapped(map, Address{"ALICE", "example.org"}));  // domains come in lower case
    EXPECT_TRUE(sender_mapped(map, Address{"anyone", "example.net"}));
    EXPECT_FALSE(sender_mapped(map, Address{"bob", "example.org"}));
    EXPECT_FALSE(sender_mapped(map, Address{"alice", "sub.example.org"}));
    EXPECT_FALSE(sender_mapped(map, Address{"x", "sub.example.net"}));
    EXPECT_FALSE(sender_mapped(map, Address{"x", "example.net.evil.example"}));
    EXPECT_TRUE(sender_mapped(std::vector<std::string>{"*"}, Address{"x", "anywhere.example"}));
}
