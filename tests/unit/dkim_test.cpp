// orouboros-dkim-sign's choices: which domain a message is signed for, and
// that only authenticated mail with a key is signed.  The signatures
// themselves are checked by python3-dkim in tests/integration/dkim.bats.
#include <gtest/gtest.h>

#include "dkim/sign_filter.hpp"

namespace {

// Named in full: libopendkim has a struct dkim of its own.
std::optional<std::string> domain(std::string_view text) {
    return orou::dkim::from_domain(orou::smtp::StringMessage(text));
}

}  // namespace

TEST(DkimFromDomain, IsTheDomainOfTheAddressInLowerCase) {
    EXPECT_EQ(domain("From: Alice <alice@Example.COM>\r\n\r\nbody\r\n"), "example.com");
    EXPECT_EQ(domain("from : alice@example.com (Alice)\r\n\r\n"), "example.com");
    EXPECT_EQ(domain("Subject: x\r\nFROM: \"A, B\" <a@x.example>\r\n\r\n"), "x.example");
}

TEST(DkimFromDomain, AFoldedFromIsUnfolded) {
    EXPECT_EQ(domain("From: \"Alice Long Name\"\r\n\t<alice@folded.example>\r\nTo: b@c.example\r\n\r\n"),
              "folded.example");
}

TEST(DkimFromDomain, NoFromTwoFromsOrNoAddressGiveNone) {
    EXPECT_EQ(domain("Subject: x\r\n\r\nFrom: a@body.example\r\n"), std::nullopt);
    EXPECT_EQ(domain("From: a@one.example\r\nFrom: a@two.example\r\n\r\n"), std::nullopt);
    EXPECT_EQ(domain("From: undisclosed\r\n\r\n"), std::nullopt);
    EXPECT_EQ(domain("From: <a@>\r\n\r\n"), std::nullopt);
}

TEST(DkimSignFilter, WithoutAuthOrWithoutAKeyTheMessagePassesUnchanged) {
    const orou::dkim::Signer signer({});
    orou::log::Logger log("test", "NONE", orou::log::Level::Error);
    orou::dkim::SignFilter signing(signer, log);
    const orou::smtp::StringMessage message("From: a@example.com\r\n\r\nhi\r\n");
    for (const char* auth : {"", "asdf"}) {
        const orou::filter::Verdict v = signing.check({"a@example.com", auth, {"b@far.example"}, {}, "id"}, message);
        EXPECT_FALSE(v.refusal);
        EXPECT_EQ(v.prepend, "");
        EXPECT_FALSE(v.drop);
    }
}
