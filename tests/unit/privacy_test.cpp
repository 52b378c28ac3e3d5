#include "smtpd/privacy.hpp"

#include <gtest/gtest.h>

using orou::smtp::Reply;
using orou::smtpd::for_client;

namespace {

std::string heard(const Reply& r, bool owner = false) { return for_client(r, owner).summary(); }

}  // namespace

TEST(Privacy, AStrangerHearsTheHomeServersRefusalWithAFixedText) {
    const Reply home{550, "5.1.1",
                     "<bob@example.com>: Recipient address rejected: User unknown in local recipient table"};
    EXPECT_EQ(heard(home), "550 5.1.1 recipient rejected");
}

TEST(Privacy, AStrangerNeverHearsTheNextHopsAddressOrCertificate) {
    EXPECT_EQ(heard({451, "4.4.1", "cannot connect to 127.0.0.2[127.0.0.2]:55577: Connection refused"}),
              "451 4.4.1 next hop did not answer");
    EXPECT_EQ(heard({451, "4.7.5", "TLS with h[1.2.3.4]:465 failed: certificate fingerprint mismatch: got sha256 AB"}),
              "451 4.7.5 secure connection to the next hop failed");
    EXPECT_EQ(heard({451, "4.4.9", "some host said no"}), "451 4.4.9 next hop unavailable");
}

TEST(Privacy, TheOwnerHearsTheNextHopsOwnReply) {
    const Reply r{451, "4.4.1", "cannot connect to 127.0.0.2[127.0.0.2]:55577: Connection refused"};
    EXPECT_EQ(heard(r, true), r.summary());
}

TEST(Privacy, AReplyWithoutOrWithAWrongEnhancedCodeGetsTheClasssOwn) {
    EXPECT_EQ(heard({554, "", "mx.home.example says no"}), "554 5.0.0 refused by the next hop");
    EXPECT_EQ(heard({421, "5.1.1", "home.example closing"}), "421 4.0.0 temporary failure at the next hop");
}

TEST(Privacy, AcceptancesKeepTheirCodesWithOurText) {
    EXPECT_EQ(heard({250, "2.1.5", "<bob@example.com> ok at home.example"}), "250 2.1.5 recipient ok");
    EXPECT_EQ(heard({250, "2.1.0", "sender <a@b> ok"}), "250 2.1.0 sender ok");
    EXPECT_EQ(heard({250, "", "home.example Ok"}), "250 2.0.0 Ok");
    EXPECT_EQ(heard({552, "5.3.4", "message exceeds 2000 bytes at home"}), "552 5.3.4 message too big");
}
