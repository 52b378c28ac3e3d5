#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener/handoff.hpp"

namespace orou::listener {
namespace {

TEST(Handoff, AConnectionPassesWithTheClientsAddressAndPort) {
    auto [parent, child] = handoff_pair();
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    Fd ours(sv[0]), theirs(sv[1]);
    ASSERT_TRUE(send_connection(parent.get(), theirs.get(), "192.0.2.7", "40123"));
    theirs.reset();  // only the received copy is left
    std::optional<Handoff> h = receive_connection(child.get());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->host, "192.0.2.7");
    EXPECT_EQ(h->port, "40123");
    ASSERT_EQ(::write(h->conn.get(), "220", 3), 3);
    char buf[4] = {};
    ASSERT_EQ(::read(ours.get(), buf, 3), 3);
    EXPECT_STREQ(buf, "220");
}

TEST(Handoff, AClosedParentEndIsNoConnection) {
    auto [parent, child] = handoff_pair();
    parent.reset();
    EXPECT_FALSE(receive_connection(child.get()));
}

TEST(Handoff, SendingToAChildThatIsGoneFails) {
    auto [parent, child] = handoff_pair();
    child.reset();
    EXPECT_FALSE(send_connection(parent.get(), 0, "192.0.2.7", "1"));
}

}  // namespace
}  // namespace orou::listener
