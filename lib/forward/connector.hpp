// The real Connector: finds the destination (a fixed upstream, or the
// recipient domain's mail exchangers), tries each address of each host in
// turn until one takes MAIL, all within the total timeout.  Towards MX
// hosts each host is held to its TLS policy (forward/tls_policy.hpp): a
// host whose policy fails is skipped like one that cannot be reached, so
// the next host is tried, and nothing is sent to it.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "forward/mta_sts_fetch.hpp"
#include "forward/mx.hpp"
#include "forward/resolver.hpp"
#include "forward/smtp_client.hpp"
#include "forward/upstream.hpp"
#include "log/log.hpp"

namespace orou::forward {

struct Destination {
    bool mx = false;          // the recipient domain's MX hosts; else the fixed host
    std::string host;         // the fixed upstream: a name or an IP address
    std::uint16_t port = 25;  // its port
    std::uint16_t mx_port = 25;
};

class SmtpConnector final : public Connector {
public:
    // Borrows the policy, the resolver and the logger.
    SmtpConnector(Destination destination, const ClientPolicy& policy, Resolver& resolver, log::Logger& log);

    Opened open(std::string_view domain, const Envelope& envelope) override;
    bool one_domain_per_transaction() const override { return destination_.mx; }

private:
    struct Attempt {
        std::unique_ptr<SmtpClient> client;  // set when MAIL was taken
        smtp::Reply reply;
        bool final = false;      // no other address may be tried (MAIL's verdict)
        bool connected = false;  // the reply came from a session, not from connect()
        PeerInfo peer = {};      // who it was, when there is no client
    };
    struct Failures {
        std::optional<smtp::Reply> last;  // the last failure, a session's before a connect()'s
        bool last_connected = false;
        std::optional<smtp::Reply> dns;  // a temporary DNS failure
        std::optional<PeerInfo> tried;   // the last host tried, with its TLS policy
    };
    struct Target {
        const MailHosts& hosts;
        const StsLookup& sts;
        const Envelope& envelope;
    };

    Attempt try_host(const std::string& host, const Target& target, io::Deadline end, Failures& failures);
    Attempt attempt(const std::string& host, const std::string& address, const Target& target, const HostTls& tls,
                    io::Deadline end);
    StsLookup sts_policy(std::string_view domain, io::Deadline end);
    void policy_line(std::string_view domain, const Failures& failures, const smtp::Reply& reply) const;
    smtp::Reply nowhere(const MailHosts& hosts, std::string_view domain, const Failures& failures) const;

    Destination destination_;
    const ClientPolicy& policy_;
    Resolver& resolver_;
    log::Logger& log_;
    std::mt19937 random_;
};

}  // namespace orou::forward
