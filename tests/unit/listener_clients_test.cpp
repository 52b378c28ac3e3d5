// The table of limits per client address: connections at once, new
// connections per minute, IPv6 counted per /64, and a bounded size.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

#include "listener/clients.hpp"

namespace {

using namespace orou::listener;
using namespace std::chrono_literals;
using V = ClientTable::Verdict;

const ClientTable::Clock::time_point t0{};

sockaddr_storage address(const char* text) {
    sockaddr_storage ss{};
    if (::inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr) == 1) {
        ss.ss_family = AF_INET;
    } else {
        ::inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr);
        ss.ss_family = AF_INET6;
    }
    return ss;
}

}  // namespace

TEST(ClientKey, IsTheIpv4AddressAlsoWhenMappedAndAnIpv6Slash64) {
    EXPECT_EQ(client_key(address("192.0.2.7")), "192.0.2.7");
    EXPECT_EQ(client_key(address("::ffff:192.0.2.7")), "192.0.2.7");
    EXPECT_EQ(client_key(address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), "2001:db8:1:2::/64");
    EXPECT_EQ(client_key(address("2001:db8:1:2::1")), client_key(address("2001:db8:1:2:ffff::9")));
    EXPECT_NE(client_key(address("2001:db8:1:2::1")), client_key(address("2001:db8:1:3::1")));
    sockaddr_storage unix_peer{};
    unix_peer.ss_family = AF_UNIX;
    EXPECT_EQ(client_key(unix_peer), "local");
}

TEST(ClientTable, OneAddressGetsItsLimitOfConnectionsAtOnceAndAnotherIsNotHeldBack) {
    ClientTable t({3, 0}, 100);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(t.admit("192.0.2.1", t0), V::Ok);
    EXPECT_EQ(t.admit("192.0.2.1", t0), V::TooMany);
    EXPECT_EQ(t.admit("192.0.2.2", t0), V::Ok);
    t.release("192.0.2.1");
    EXPECT_EQ(t.admit("192.0.2.1", t0), V::Ok);
    EXPECT_EQ(t.admit("192.0.2.1", t0), V::TooMany);
}

TEST(ClientTable, NewConnectionsPerMinuteAreLimitedRefusedOnesCountingAndTheNextMinuteStartsOver) {
    ClientTable t({0, 3}, 100);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(t.admit("192.0.2.1", t0 + 1s), V::Ok);
        t.release("192.0.2.1");
    }
    EXPECT_EQ(t.admit("192.0.2.1", t0 + 10s), V::TooFast);
    EXPECT_EQ(t.admit("192.0.2.1", t0 + 60s), V::TooFast);  // the window began at 1 s
    EXPECT_EQ(t.admit("192.0.2.2", t0 + 10s), V::Ok);
    EXPECT_EQ(t.admit("192.0.2.1", t0 + 61s), V::Ok);
}

TEST(ClientTable, NoLimitsAdmitEverything) {
    ClientTable t({0, 0}, 100);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(t.admit("192.0.2.1", t0), V::Ok);
}

TEST(ClientTable, ManyAddressesCannotGrowItPastItsCapacityAndOpenOnesAreKept) {
    ClientTable t({1, 5}, 64);
    EXPECT_EQ(t.admit("198.51.100.1", t0), V::Ok);  // held open throughout
    for (int i = 0; i < 100000; ++i) {
        std::string a =
            "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
        ASSERT_NE(t.admit(a, t0 + std::chrono::milliseconds(i)), V::TooMany);
        t.release(a);
        ASSERT_LE(t.size(), 64u);
    }
    EXPECT_EQ(t.admit("198.51.100.1", t0 + 100s), V::TooMany);
}

TEST(ClientTable, AddressesWithNothingOpenExpireWithTheirWindow) {
    ClientTable t({10, 10}, 1000);
    for (int i = 0; i < 50; ++i) {
        std::string a = "192.0.2." + std::to_string(i);
        EXPECT_EQ(t.admit(a, t0), V::Ok);
        if (i > 0) t.release(a);
    }
    EXPECT_EQ(t.size(), 50u);
    EXPECT_EQ(t.admit("203.0.113.1", t0 + 61s), V::Ok);
    EXPECT_EQ(t.size(), 2u);  // 192.0.2.0 is still open
}
