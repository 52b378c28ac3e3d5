// The Connector tries each address of each MX host in turn (a fake
// resolver, scripted servers on loopback): past an address that refuses
// the connection and a host without addresses, but never past a verdict
// on MAIL.
#include "forward/connector.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "forward_fakes.hpp"
#include "forward_peer.hpp"

using namespace orou::forward;
using orou::test::FakeResolver;
using orou::test::ScriptedServer;

namespace {

using Hosts = std::vector<std::string>;

// 127.0.0.2 is loopback too, and nothing listens there.
const std::string kNobody = "127.0.0.2";
const std::string kAccepting = "220 mx ESMTP\r\n250 mx\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n221 bye\r\n";

struct Connect {
    FakeResolver dns;
    ClientPolicy policy;
    orou::log::Logger log{"test", "NONE", orou::log::Level::Error};
    Connect() {
        policy.helo = "fwd.test";
        policy.tls = TlsMode::None;
        policy.timeouts = {std::chrono::seconds(2), std::chrono::seconds(2), std::chrono::seconds(10)};
    }
    void mx(const std::string& domain, std::vector<MxRecord> records) {
        dns.mx_answers[domain] = {DnsStatus::Ok, std::move(records), ""};
    }
    void a(const std::string& host, Hosts addresses) { dns.address_answers[host] = {DnsStatus::Ok, addresses, ""}; }
    Opened open(std::uint16_t port, const std::string& domain) {
        SmtpConnector connector(Destination{true, "", 25, port}, policy, dns, log);
        return connector.open(domain, {"a@x.example", false, 0});
    }
    bool asked(const std::string& question) const {
        return std::find(dns.asked.begin(), dns.asked.end(), question) != dns.asked.end();
    }
};

}  // namespace

TEST(ForwardConnector, FallsBackPastARefusedAddressAndAHostWithoutAddresses) {
    Connect t;
    ScriptedServer server(kAccepting);
    t.mx("dest.example", {{30, "c.example"}, {10, "a.example"}, {20, "b.example"}});
    t.a("a.example", {kNobody});
    t.a("c.example", {kNobody, "127.0.0.1"});
    Opened opened = t.open(server.port, "dest.example");
    ASSERT_TRUE(opened.upstream) << opened.reply.summary();
    EXPECT_EQ(opened.upstream->peer().host, "c.example");
    EXPECT_EQ(opened.upstream->peer().address, "127.0.0.1");
    EXPECT_EQ(opened.upstream->rcpt("b@dest.example").summary(), "250 2.1.5 ok");
    opened.upstream.reset();
    EXPECT_EQ(t.dns.asked, (Hosts{"MX dest.example", "A a.example", "A b.example", "A c.example"}));
    EXPECT_EQ(server.sent(), "EHLO fwd.test\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@dest.example>\r\nQUIT\r\n");
}

TEST(ForwardConnector, AVerdictOnMailIsFinalAndNoOtherHostIsTried) {
    Connect t;
    ScriptedServer server("220 mx\r\n250 mx\r\n550 5.7.1 sender refused\r\n221 bye\r\n");
    t.mx("dest.example", {{10, "a.example"}, {20, "b.example"}});
    t.a("a.example", {"127.0.0.1"});
    t.a("b.example", {"127.0.0.1"});
    Opened opened = t.open(server.port, "dest.example");
    EXPECT_FALSE(opened.upstream);
    EXPECT_EQ(opened.reply.summary(), "550 5.7.1 sender refused");
    EXPECT_FALSE(t.asked("A b.example"));
    EXPECT_EQ(server.connections(), 1);
}

TEST(ForwardConnector, WhenAllFailTheReplyOfAHostThatAnsweredWinsOverAConnectError) {
    Connect t;
    ScriptedServer server("421 4.3.2 too busy\r\n");
    t.mx("dest.example", {{10, "a.example"}, {20, "b.example"}});
    t.a("a.example", {"127.0.0.1"});
    t.a("b.example", {kNobody});
    Opened opened = t.open(server.port, "dest.example");
    EXPECT_FALSE(opened.upstream);
    EXPECT_EQ(opened.reply.code, 451);
    EXPECT_NE(opened.reply.text.find("421 4.3.2 too busy"), std::string::npos) << opened.reply.text;
}

TEST(ForwardConnector, MxHostsWithoutAnyAddressAre550_5_4_4) {
    Connect t;
    t.mx("dest.example", {{10, "a.example"}});
    EXPECT_EQ(t.open(1, "dest.example").reply.summary(), "550 5.4.4 no mail exchanger of dest.example has an address");
}

TEST(ForwardConnector, ADomainWithNeitherMxNorAddressIs550_5_1_2) {
    Connect t;
    t.dns.address_answers["bare.example"] = {DnsStatus::NoData, {}, "no records"};
    EXPECT_EQ(t.open(1, "bare.example").reply.summary(),
              "550 5.1.2 domain bare.example has no mail exchanger and no address");
}

TEST(ForwardConnector, ATemporaryAddressLookupFailureIsTemporary) {
    Connect t;
    t.mx("dest.example", {{10, "a.example"}});
    t.dns.address_answers["a.example"] = {DnsStatus::TempFail, {}, "SERVFAIL"};
    const orou::smtp::Reply r = t.open(1, "dest.example").reply;
    EXPECT_EQ(r.code, 451);
    EXPECT_EQ(r.status, "4.4.3");
}

TEST(ForwardConnector, ANullMxIsRefusedWithoutConnecting) {
    Connect t;
    t.mx("null.example", {{0, ""}});
    EXPECT_EQ(t.open(1, "null.example").reply.summary(), "556 5.1.10 domain null.example accepts no mail (null MX)");
    EXPECT_EQ(t.dns.asked, (Hosts{"MX null.example"}));
}

TEST(ForwardConnector, AHostWhoseTlsaLookupFailsIsSkippedWith451_475AndTheNextIsTried) {
    Connect t;
    ScriptedServer server(kAccepting);
    t.policy.dane = true;
    t.mx("dest.example", {{10, "a.example"}, {20, "b.example"}});
    t.dns.mx_answers["dest.example"].secure = true;
    t.dns.address_answers["a.example"] = {DnsStatus::Ok, {"127.0.0.1"}, "", true};
    t.dns.address_answers["b.example"] = {DnsStatus::Ok, {"127.0.0.1"}, "", true};
    t.dns.tlsa_answers["_" + std::to_string(server.port) + "._tcp.a.example"] = {DnsStatus::TempFail, {}, "bogus"};
    Opened opened = t.open(server.port, "dest.example");
    ASSERT_TRUE(opened.upstream) << opened.reply.summary();
    EXPECT_EQ(opened.upstream->peer().host, "b.example");
    EXPECT_EQ(opened.upstream->peer().policy.name, "none");
}

TEST(ForwardConnector, WhenEveryHostsTlsaLookupFailsTheReplyIs451_475AndNothingConnects) {
    Connect t;
    t.policy.dane = true;
    t.mx("dest.example", {{10, "a.example"}});
    t.dns.mx_answers["dest.example"].secure = true;
    t.dns.address_answers["a.example"] = {DnsStatus::Ok, {kNobody}, "", true};
    t.dns.tlsa_answers["_25._tcp.a.example"] = {DnsStatus::TempFail, {}, "bogus"};
    Opened opened = t.open(25, "dest.example");
    EXPECT_FALSE(opened.upstream);
    EXPECT_EQ(opened.reply.code, 451);
    EXPECT_EQ(opened.reply.status, "4.7.5");
}
