// The Authentication-Results field of orouboros-verify: its layout, and
// which incoming fields claim our authserv-id.
#include <gtest/gtest.h>

#include "filter/filter.hpp"
#include "smtp/message.hpp"
#include "verify/headers.hpp"
#include "verify/results.hpp"
#include "verify/stage.hpp"
#include "verify/verifier.hpp"

namespace orou::verify {
namespace {

Verdicts sample() {
    Verdicts v;
    v.spf.push_back({"pass", "mailfrom", "alice@sender.example"});
    v.spf.push_back({"none", "helo", "mail.sender.example"});
    v.dkim.push_back({"pass", "sender.example", "sel1", "AbCd+1/x", ""});
    v.dmarc = {"pass", "sender.example", "reject", "none", true, true};
    return v;
}

TEST(AuthResults, EachResultIsOnALineOfItsOwnAfterTheAuthservId) {
    const auto lines = format_header("vps.example", sample());
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "Authentication-Results: vps.example;");
    EXPECT_EQ(lines[1], "\tspf=pass smtp.mailfrom=alice@sender.example;");
    EXPECT_EQ(lines[2], "\tspf=none smtp.helo=mail.sender.example;");
    EXPECT_EQ(lines[3], "\tdkim=pass header.d=sender.example header.s=sel1 header.b=\"AbCd+1/x\";");
    EXPECT_EQ(lines[4], "\tdmarc=pass (p=reject dis=none spf-aligned=yes dkim-aligned=yes) header.from=sender.example");
}

TEST(AuthResults, AnUnsignedMessageSaysDkimNone) {
    Verdicts v = sample();
    v.dkim.clear();
    v.dmarc = {"none", "sender.example", "", "", false, false};
    const auto lines = format_header("vps.example", v);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[3], "\tdkim=none;");
    EXPECT_EQ(lines[4], "\tdmarc=none header.from=sender.example");
}

TEST(AuthResults, AFailedSignatureGivesItsReasonAsAQuotedValue) {
    Verdicts v = sample();
    v.dkim[0] = {"fail", "sender.example", "sel1", "AbCdEfGh", "body hash mismatch"};
    EXPECT_EQ(format_header("vps.example", v)[3],
              "\tdkim=fail reason=\"body hash mismatch\" header.d=sender.example header.s=sel1 header.b=AbCdEfGh;");
}

TEST(AuthResults, ASenderThatIsNoTokenIsQuoted) {
    EXPECT_EQ(pvalue("a b@x.example"), "\"a b@x.example\"");
    EXPECT_EQ(pvalue("say\"hi\"@x.example"), "\"say\\\"hi\\\"@x.example\"");
    EXPECT_EQ(pvalue("bob@x.example"), "bob@x.example");
}

TEST(AuthResults, AFieldWithOurIdInAnyCaseIsClaimed) {
    EXPECT_TRUE(claims_authserv_id("Authentication-Results: vps.example; spf=pass", "vps.example"));
    EXPECT_TRUE(claims_authserv_id("authentication-results: VPS.Example; none", "vps.example"));
    EXPECT_TRUE(claims_authserv_id("AUTHENTICATION-RESULTS:vps.example;dkim=pass", "vps.example"));
}

TEST(AuthResults, CommentsFoldingAndQuotesBeforeTheIdAreSkipped) {
    EXPECT_TRUE(claims_authserv_id("Authentication-Results: (forged (nested) \\) here)\r\n\t vps.example; spf=pass",
                                   "vps.example"));
    EXPECT_TRUE(claims_authserv_id("Authentication-Results :\r\n vps.example (comment); none", "vps.example"));
    EXPECT_TRUE(claims_authserv_id("Authentication-Results: \"vps.example\"; none", "vps.example"));
    EXPECT_TRUE(claims_authserv_id("Authentication-Results: vps.example 1; none", "vps.example"));
}

TEST(AuthResults, AnotherIdOrAnotherFieldIsNotClaimed) {
    EXPECT_FALSE(claims_authserv_id("Authentication-Results: home.example; spf=pass", "vps.example"));
    EXPECT_FALSE(claims_authserv_id("Authentication-Results: vps.example.evil; spf=pass", "vps.example"));
    EXPECT_FALSE(claims_authserv_id("Authentication-Results: sub.vps.example; spf=pass", "vps.example"));
    EXPECT_FALSE(claims_authserv_id("ARC-Authentication-Results: i=1; vps.example; spf=pass", "vps.example"));
    EXPECT_FALSE(claims_authserv_id("X-Authentication-Results: vps.example; spf=pass", "vps.example"));
    EXPECT_FALSE(claims_authserv_id("Authentication-Results vps.example", "vps.example"));
}

TEST(AuthResults, TheFromDomainIsTakenFromTheOneAddress) {
    EXPECT_EQ(from_domain("From: Alice <alice@Sender.Example>"), "sender.example");
    EXPECT_EQ(from_domain("From: alice@sender.example (Alice)"), "sender.example");
    EXPECT_EQ(from_domain("From: \"Doe, J @ work\" <j@sender.example>"), "sender.example");
    EXPECT_EQ(from_domain("From: a@one.example, b@two.example"), "");
    EXPECT_EQ(from_domain("From: nobody"), "");
}

TEST(AuthResults, HeaderFieldsComeWithTheirContinuationLines) {
    smtp::StringMessage m("From: a@x.example\r\nSubject: one\r\n two\r\n\r\nbody\r\n");
    std::vector<std::string> fields, body;
    for_each_field(
        m, [&](std::string_view f) { fields.emplace_back(f); }, [&](std::string_view l) { body.emplace_back(l); });
    EXPECT_EQ(fields, (std::vector<std::string>{"From: a@x.example", "Subject: one\r\n two", ""}));
    EXPECT_EQ(body, (std::vector<std::string>{"body"}));
}

TEST(AuthResults, TheClientAddressIsReadAsXforwardGivesIt) {
    EXPECT_EQ(client_address("192.0.2.7"), "192.0.2.7");
    EXPECT_EQ(client_address("IPv6:2001:db8::1"), "2001:db8::1");
    EXPECT_EQ(client_address("2001:db8::1"), "2001:db8::1");
    EXPECT_EQ(client_address("mail.example"), "");
    EXPECT_EQ(client_address(""), "");
}

TEST(AuthResults, TheForgedFieldsAreLeftOutAndTheFieldGoesOnTop) {
    smtp::StringMessage m(
        "Received: from x by vps.example\r\n"
        "Authentication-Results:\r\n vps.example; spf=pass\r\n"
        "authentication-results : other.example; spf=pass\r\n"
        "Authentication-Results: (x) VPS.example; dkim=pass\r\n"
        "From: a@x.example\r\n\r\nAuthentication-Results: vps.example; in the body\r\n");
    const filter::Verdict v{std::nullopt, header_block({"Authentication-Results: vps.example;", "\tdkim=none"}),
                            forged_fields({true, false, true})};
    smtp::StringSink out;
    filter::pass_on(m, v, out);
    EXPECT_EQ(out.text,
              "Authentication-Results: vps.example;\r\n\tdkim=none\r\n"
              "Received: from x by vps.example\r\n"
              "authentication-results : other.example; spf=pass\r\n"
              "From: a@x.example\r\n\r\nAuthentication-Results: vps.example; in the body\r\n");
}

}  // namespace
}  // namespace orou::verify
