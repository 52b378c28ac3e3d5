#include "forward/connector.hpp"

#include <ctime>

#include "forward/events.hpp"
#include "forward/replies.hpp"

namespace orou::forward {

SmtpConnector::SmtpConnector(Destination destination, const ClientPolicy& policy, Resolver& resolver, log::Logger& log)
    : destination_(std::move(destination)),
      policy_(policy),
      resolver_(resolver),
      log_(log),
      random_(std::random_device{}()) {}

Opened SmtpConnector::open(std::string_view domain, const Envelope& envelope) {
    const io::Deadline end = io::Clock::now() + policy_.timeouts.total;
    MailHosts hosts = destination_.mx ? mail_hosts(resolver_, domain, end, random_)
                                      : MailHosts{{destination_.host}, false, std::nullopt};
    if (hosts.refusal) {
        log_no_route(log_, domain, *hosts.refusal);
        return {nullptr, *hosts.refusal};
    }
    const StsLookup sts = sts_policy(domain, end);
    const Target target{hosts, sts, envelope};
    Failures failures;
    for (const auto& host : hosts.hosts) {
        Attempt a = try_host(host, target, end, failures);
        if (a.client) failures.tried = a.client->peer();
        if (!a.client && !a.final) continue;
        policy_line(domain, failures, a.reply);
        return {std::move(a.client), a.reply};
    }
    smtp::Reply reply = nowhere(hosts, domain, failures);
    if (!failures.last) log_no_route(log_, domain, reply);
    policy_line(domain, failures, reply);
    return {nullptr, reply};
}

// Towards MX hosts, one line per delivery: the policy of the last host tried.
void SmtpConnector::policy_line(std::string_view domain, const Failures& failures, const smtp::Reply& reply) const {
    if (destination_.mx && failures.tried) log_policy(log_, domain, *failures.tried, reply);
}

// The recipient domain's MTA-STS policy, when MX hosts are held to it.
StsLookup SmtpConnector::sts_policy(std::string_view domain, io::Deadline end) {
    if (!destination_.mx || !policy_.mta_sts || ip_literal(domain)) return {};
    StsLookup sts = find_sts_policy(resolver_, *policy_.mta_sts, domain, end, std::time(nullptr));
    if (!sts.error.empty()) log_sts_lookup(log_, domain, sts);
    return sts;
}

// Each address of one host until one takes MAIL or gives its verdict;
// none when the host's TLS policy refuses it.
SmtpConnector::Attempt SmtpConnector::try_host(const std::string& host, const Target& target, io::Deadline end,
                                               Failures& failures) {
    AddressAnswer answer = host_addresses(resolver_, host, end);
    if (answer.status == DnsStatus::TempFail) failures.dns = replies::dns_temporary(host, answer.error);
    if (answer.addresses.empty()) return {nullptr, {}, false};
    const bool mx = destination_.mx && !ip_literal(host);
    const HostTls tls = mx ? host_tls(resolver_, policy_.dane, host, destination_.mx_port,
                                      target.hosts.secure && answer.secure, target.sts, end)
                           : HostTls{};
    failures.tried = PeerInfo{host, "", destination_.mx_port, "", "", tls.outcome};
    if (tls.refusal) {
        failures.last = *tls.refusal;
        failures.last_connected = true;
        return {nullptr, *tls.refusal, false};
    }
    for (const auto& address : answer.addresses) {
        if (io::Clock::now() >= end) return {nullptr, replies::delivery_timeout, true};
        Attempt a = attempt(host, address, target, tls, end);
        if (a.connected) failures.tried = a.peer;
        if (a.client || a.final) return a;
        if (a.connected || !failures.last_connected) failures.last = a.reply;
        failures.last_connected = failures.last_connected || a.connected;
    }
    return {nullptr, {}, false};
}

SmtpConnector::Attempt SmtpConnector::attempt(const std::string& host, const std::string& address, const Target& target,
                                              const HostTls& tls, io::Deadline end) {
    const std::uint16_t port = destination_.mx ? destination_.mx_port : destination_.port;
    PeerInfo peer{host, address, port, "", "", tls.outcome};
    Connected c = connect_to(address, port, std::min(io::Clock::now() + policy_.timeouts.connect, end));
    if (!c.fd) {
        const smtp::Reply reply = replies::unreachable(host + "[" + address + "]:" + std::to_string(port), c.error);
        log_attempt(log_, peer, reply);
        return {nullptr, reply, false, false, peer};
    }
    auto client = std::make_unique<SmtpClient>(std::move(c.fd), std::move(peer), policy_, tls);
    smtp::Reply reply = client->start(end);
    bool final = false;
    if (reply.ok()) {
        reply = client->mail(target.envelope, end);
        final = !client->broken();
    }
    log_attempt(log_, client->peer(), reply);
    if (!reply.ok()) return {nullptr, reply, final, true, client->peer()};
    return {std::move(client), reply, true, true, {}};
}

// The reply when no host took the session: the last failure (one from a
// host that answered rather than one that could not be reached), else a
// DNS failure (temporary), else no address at all.
smtp::Reply SmtpConnector::nowhere(const MailHosts& hosts, std::string_view domain, const Failures& failures) const {
    if (failures.last) return *failures.last;
    if (failures.dns) return *failures.dns;
    if (!destination_.mx) return replies::unreachable(destination_.host, "the name has no address");
    return hosts.implicit ? replies::no_mail_host(domain) : replies::no_mx_address(domain);
}

}  // namespace orou::forward
