// Where mail for a domain goes: MX order, the address fallback, null MX,
// and the answers that refuse for good or for now.  A fake resolver.
#include "forward/mx.hpp"

#include <gtest/gtest.h>

#include <set>

#include "forward_fakes.hpp"

using namespace orou::forward;
using orou::test::FakeResolver;

namespace {

using Hosts = std::vector<std::string>;

orou::io::Deadline soon() { return orou::io::Clock::now() + std::chrono::seconds(5); }

MxAnswer mx_records(std::vector<MxRecord> records) { return {DnsStatus::Ok, std::move(records), ""}; }

struct Mx {
    FakeResolver dns;
    std::mt19937 random{42};
    MailHosts hosts(const std::string& domain) { return mail_hosts(dns, domain, soon(), random); }
};

}  // namespace

TEST(Mx, HostsComeInPreferenceOrderLowestFirst) {
    Mx t;
    t.dns.mx_answers["dest.example"] = mx_records({{20, "b.example"}, {10, "a.example"}, {30, "c.example"}});
    MailHosts h = t.hosts("dest.example");
    EXPECT_FALSE(h.refusal);
    EXPECT_FALSE(h.implicit);
    EXPECT_EQ(h.hosts, (Hosts{"a.example", "b.example", "c.example"}));
}

TEST(Mx, EqualPreferencesAreShuffledButNeverPassALowerPreference) {
    std::set<Hosts> seen;
    for (unsigned seed = 0; seed < 64; ++seed) {
        std::mt19937 random(seed);
        Hosts h = order_mx({{10, "x1"}, {10, "x2"}, {10, "x3"}, {5, "first"}, {50, "last"}}, random);
        ASSERT_EQ(h.size(), 5u);
        EXPECT_EQ(h.front(), "first");
        EXPECT_EQ(h.back(), "last");
        seen.insert(h);
    }
    EXPECT_GT(seen.size(), 1u) << "equal preferences always came in one order";
}

TEST(Mx, ASingleNullMxIsRefusedPermanentlyWith556_5_1_10) {
    Mx t;
    t.dns.mx_answers["null.example"] = mx_records({{0, ""}});
    MailHosts h = t.hosts("null.example");
    ASSERT_TRUE(h.refusal);
    EXPECT_EQ(h.refusal->code, 556);
    EXPECT_EQ(h.refusal->status, "5.1.10");
    EXPECT_TRUE(h.hosts.empty());
}

TEST(Mx, ANullMxBesideRealRecordsIsDropped) {
    Mx t;
    t.dns.mx_answers["odd.example"] = mx_records({{0, ""}, {10, "mx.odd.example"}});
    MailHosts h = t.hosts("odd.example");
    EXPECT_FALSE(h.refusal);
    EXPECT_EQ(h.hosts, (Hosts{"mx.odd.example"}));
}

TEST(Mx, ADomainWithoutMxIsItsOwnMailHost) {
    Mx t;  // the fake has no MX for it: NoData
    MailHosts h = t.hosts("a.example");
    EXPECT_FALSE(h.refusal);
    EXPECT_TRUE(h.implicit);
    EXPECT_EQ(h.hosts, (Hosts{"a.example"}));
}

TEST(Mx, ADomainThatDoesNotExistIsRefusedWith550_5_1_2) {
    Mx t;
    t.dns.mx_answers["nx.example"] = {DnsStatus::NotFound, {}, "NXDOMAIN"};
    MailHosts h = t.hosts("nx.example");
    ASSERT_TRUE(h.refusal);
    EXPECT_EQ(h.refusal->summary(), "550 5.1.2 domain nx.example does not exist");
}

TEST(Mx, ATemporaryDnsFailureIsA451_4_4_3WithTheReason) {
    Mx t;
    t.dns.mx_answers["slow.example"] = {DnsStatus::TempFail, {}, "DNS query timed out"};
    MailHosts h = t.hosts("slow.example");
    ASSERT_TRUE(h.refusal);
    EXPECT_EQ(h.refusal->code, 451);
    EXPECT_EQ(h.refusal->status, "4.4.3");
    EXPECT_NE(h.refusal->text.find("timed out"), std::string::npos);
}

TEST(Mx, AnAddressLiteralDomainIsItsOwnHostWithoutDns) {
    Mx t;
    MailHosts h = t.hosts("[192.0.2.7]");
    EXPECT_EQ(h.hosts, (Hosts{"[192.0.2.7]"}));
    AddressAnswer a = host_addresses(t.dns, h.hosts.front(), soon());
    EXPECT_EQ(a.addresses, (Hosts{"192.0.2.7"}));
    EXPECT_TRUE(t.dns.asked.empty());
}

TEST(Mx, IpLiteralsAreRecognisedInEveryForm) {
    EXPECT_EQ(ip_literal("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(ip_literal("[IPv6:::1]"), "::1");
    EXPECT_EQ(ip_literal("::1"), "::1");
    EXPECT_FALSE(ip_literal("mx.example"));
    EXPECT_FALSE(ip_literal("[mx.example]"));
}

TEST(Mx, AtMostTenHostsAreKeptAndDuplicatesOnce) {
    std::vector<MxRecord> records;
    for (unsigned i = 0; i < 15; ++i) records.push_back({i, "mx" + std::to_string(i) + ".example"});
    records.push_back({0, "mx0.example"});
    std::mt19937 random(1);
    Hosts h = order_mx(records, random);
    EXPECT_EQ(h.size(), kMaxMailHosts);
    EXPECT_EQ(h.front(), "mx0.example");
    EXPECT_EQ(std::count(h.begin(), h.end(), "mx0.example"), 1);
}
