// MTA-STS (RFC 8461) without I/O: the TXT record, the policy grammar and
// its bounds, the mx patterns; and the TLS policy one MX host is held to
// (DANE first, then MTA-STS), over a fake resolver.
#include "forward/mta_sts.hpp"

#include <gtest/gtest.h>

#include "forward/dane.hpp"
#include "forward/tls_policy.hpp"
#include "forward_fakes.hpp"

using namespace orou::forward;
using orou::test::FakeResolver;

namespace {

orou::io::Deadline soon() { return orou::io::Clock::now() + std::chrono::seconds(5); }

const char* const kEnforce =
    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
    "max_age: 604800\r\n";

}  // namespace

TEST(MtaSts, TheRecordGivesItsId) {
    EXPECT_EQ(sts_record_id({"v=STSv1; id=20160831085700Z;"}), "20160831085700Z");
    EXPECT_EQ(sts_record_id({"v=STSv1;id=abc"}), "abc");
    EXPECT_EQ(sts_record_id({"v=spf1 -all", "v=STSv1; id=abc; ext=1"}), "abc");
}

TEST(MtaSts, ARecordWithoutVersionFirstOrIdOrWithTwinsIsNoPolicy) {
    EXPECT_FALSE(sts_record_id({}));
    EXPECT_FALSE(sts_record_id({"id=abc; v=STSv1"}));
    EXPECT_FALSE(sts_record_id({"v=STSv1;"}));
    EXPECT_FALSE(sts_record_id({"v=STSv1; id=a-b"}));
    EXPECT_FALSE(sts_record_id({"v=STSv1; id=" + std::string(33, 'a')}));
    EXPECT_FALSE(sts_record_id({"v=STSv1; id=a", "v=STSv1; id=b"}));
}

TEST(MtaSts, AnEnforcePolicyParsesWithItsPatternsAndAge) {
    auto p = parse_sts_policy(kEnforce);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->mode, StsMode::Enforce);
    EXPECT_EQ(p->max_age, 604800);
    EXPECT_EQ(p->mx, (std::vector<std::string>{"mail.example.com", "*.example.net"}));
}

TEST(MtaSts, LinesEndInLfOrCrlfAndUnknownFieldsAreIgnored) {
    auto p = parse_sts_policy("version: STSv1\nmode: testing\nmx: MX.Example.com\nmax_age: 86400\nfuture: x\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->mode, StsMode::Testing);
    EXPECT_EQ(p->mx, (std::vector<std::string>{"mx.example.com"}));
}

TEST(MtaSts, ModeNoneNeedsNoMx) {
    auto p = parse_sts_policy("version: STSv1\nmode: none\nmax_age: 86400\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->mode, StsMode::None);
}

TEST(MtaSts, APolicyMissingAFieldOrWithABadValueIsRefused) {
    EXPECT_FALSE(parse_sts_policy("mode: enforce\nmx: a.example\nmax_age: 1\n"));
    EXPECT_FALSE(parse_sts_policy("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n"));
    EXPECT_FALSE(parse_sts_policy("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n"));
    EXPECT_FALSE(parse_sts_policy("version: STSv1\nmode: enforce\nmax_age: 1\n"));
    EXPECT_FALSE(parse_sts_policy("version: STSv1\nmode: enforce\nmx: a.example\n"));
    EXPECT_FALSE(parse_sts_policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n"));
    EXPECT_FALSE(parse_sts_policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n"));
    EXPECT_FALSE(parse_sts_policy("version: STSv1\nmode enforce\nmx: a.example\nmax_age: 1\n"));
}

TEST(MtaSts, MaxAgeIsCappedAtAYear) {
    auto p = parse_sts_policy("version: STSv1\nmode: none\nmax_age: 9999999999\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->max_age, kMaxPolicyAge);
}

TEST(MtaSts, APolicyOver64KiBOrWithTooManyMxIsRefused) {
    std::string big = kEnforce;
    big += std::string(kMaxPolicySize, '\n');
    EXPECT_FALSE(parse_sts_policy(big));
    std::string many = "version: STSv1\nmode: enforce\nmax_age: 1\n";
    for (std::size_t i = 0; i <= kMaxPolicyMx; ++i) many += "mx: a" + std::to_string(i) + ".example\n";
    EXPECT_FALSE(parse_sts_policy(many));
}

TEST(MtaSts, AWildcardPatternMatchesExactlyOneLabel) {
    EXPECT_TRUE(mx_pattern_match("*.example.com", "mx.example.com"));
    EXPECT_TRUE(mx_pattern_match("*.example.com", "MX.Example.COM"));
    EXPECT_FALSE(mx_pattern_match("*.example.com", "a.b.example.com"));
    EXPECT_FALSE(mx_pattern_match("*.example.com", "example.com"));
    EXPECT_FALSE(mx_pattern_match("*.example.com", "mxexample.com"));
    EXPECT_FALSE(mx_pattern_match("*.example.com", ".example.com"));
}

TEST(MtaSts, APlainPatternMatchesOnlyItself) {
    EXPECT_TRUE(mx_pattern_match("mail.example.com", "mail.example.com"));
    EXPECT_FALSE(mx_pattern_match("mail.example.com", "x.mail.example.com"));
    EXPECT_FALSE(mx_pattern_match("example.com", "mail.example.com"));
}

TEST(Dane, OnlyDaneTaAndDaneEeWithKnownSelectorsAndMatchingTypesAreUsable) {
    EXPECT_TRUE(usable_tlsa({3, 1, 1, "x"}));
    EXPECT_TRUE(usable_tlsa({2, 0, 2, "x"}));
    EXPECT_FALSE(usable_tlsa({0, 1, 1, "x"}));  // PKIX-TA
    EXPECT_FALSE(usable_tlsa({1, 1, 1, "x"}));  // PKIX-EE
    EXPECT_FALSE(usable_tlsa({3, 2, 1, "x"}));
    EXPECT_FALSE(usable_tlsa({3, 1, 3, "x"}));
    EXPECT_FALSE(usable_tlsa({3, 1, 1, ""}));
}

TEST(TlsPolicy, SecureTlsaMakesDaneWhichWinsOverMtaSts) {
    FakeResolver dns;
    dns.tlsa_answers["_25._tcp.mx.example.com"] = {DnsStatus::Ok, {{3, 1, 1, "abc"}, {1, 1, 1, "def"}}, "", true};
    const StsLookup sts{parse_sts_policy(kEnforce), ""};
    HostTls t = host_tls(dns, true, "mx.example.com", 25, true, sts, soon());
    EXPECT_EQ(t.outcome.name, "dane");
    EXPECT_TRUE(t.required);
    ASSERT_TRUE(t.check);
    EXPECT_EQ(t.check->verify, orou::tls::Verify::Dane);
    ASSERT_EQ(t.check->tlsa.size(), 1u);
    EXPECT_EQ(t.check->tlsa[0].usage, 3u);
}

TEST(TlsPolicy, InsecureTlsaOrInsecureNamesAreNoDane) {
    FakeResolver dns;
    dns.tlsa_answers["_25._tcp.mx.example.com"] = {DnsStatus::Ok, {{3, 1, 1, "abc"}}, "", false};
    EXPECT_EQ(host_tls(dns, true, "mx.example.com", 25, true, {}, soon()).outcome.name, "none");
    dns.tlsa_answers["_25._tcp.mx.example.com"].secure = true;
    EXPECT_EQ(host_tls(dns, true, "mx.example.com", 25, false, {}, soon()).outcome.name, "none");
    EXPECT_EQ(host_tls(dns, false, "mx.example.com", 25, true, {}, soon()).outcome.name, "none");
}

TEST(TlsPolicy, ABogusTlsaAnswerRefusesTheHostWith451_475) {
    FakeResolver dns;
    dns.tlsa_answers["_25._tcp.mx.example.com"] = {DnsStatus::TempFail, {}, "DNSSEC validation failed", false};
    HostTls t = host_tls(dns, true, "mx.example.com", 25, true, {}, soon());
    ASSERT_TRUE(t.refusal);
    EXPECT_EQ(t.refusal->code, 451);
    EXPECT_EQ(t.refusal->status, "4.7.5");
}

TEST(TlsPolicy, OnlyUnusableTlsaStillRequiresTlsWithoutAuthentication) {
    FakeResolver dns;
    dns.tlsa_answers["_25._tcp.mx.example.com"] = {DnsStatus::Ok, {{1, 1, 1, "abc"}}, "", true};
    HostTls t = host_tls(dns, true, "mx.example.com", 25, true, {}, soon());
    EXPECT_TRUE(t.required);
    ASSERT_TRUE(t.check);
    EXPECT_EQ(t.check->verify, orou::tls::Verify::None);
}

TEST(TlsPolicy, MtaStsEnforceRefusesAnMxNotInThePolicyAndChecksTheChainOfOthers) {
    FakeResolver dns;
    const StsLookup sts{parse_sts_policy(kEnforce), ""};
    HostTls bad = host_tls(dns, true, "mx.example.org", 25, false, sts, soon());
    ASSERT_TRUE(bad.refusal);
    EXPECT_EQ(bad.refusal->status, "4.7.5");
    HostTls good = host_tls(dns, true, "a.example.net", 25, false, sts, soon());
    EXPECT_FALSE(good.refusal);
    EXPECT_TRUE(good.required);
    ASSERT_TRUE(good.check);
    EXPECT_EQ(good.check->verify, orou::tls::Verify::Chain);
    EXPECT_FALSE(good.check->report_only);
}

TEST(TlsPolicy, MtaStsTestingOnlyReports) {
    FakeResolver dns;
    const StsLookup sts{parse_sts_policy("version: STSv1\nmode: testing\nmx: a.example\nmax_age: 60\n"), ""};
    HostTls t = host_tls(dns, true, "b.example", 25, false, sts, soon());
    EXPECT_FALSE(t.refusal);
    EXPECT_FALSE(t.required);
    EXPECT_TRUE(t.outcome.failed);
    ASSERT_TRUE(t.check);
    EXPECT_TRUE(t.check->report_only);
}
