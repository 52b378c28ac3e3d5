#include "forward/tls_policy.hpp"

#include "forward/dane.hpp"
#include "forward/replies.hpp"

namespace orou::forward {

namespace {

HostTls from_dane(const Dane& dane, std::string_view host) {
    HostTls t{{"dane", "enforce", false, ""}, true, std::nullopt, std::nullopt};
    if (dane.status == DaneStatus::Failed) {
        t.refusal = replies::tlsa_failed(host, dane.error);
        t.outcome.failed = true;
        t.outcome.why = t.refusal->summary();
    } else if (dane.status == DaneStatus::Authenticate) {
        t.check = tls::ClientCheck{tls::Verify::Dane, std::string(host), "", dane.records};
    } else {  // every record unusable: TLS without authentication (RFC 7672 section 2.2)
        t.check = tls::ClientCheck{tls::Verify::None, std::string(host), "", {}};
    }
    return t;
}

HostTls from_sts(const StsPolicy& policy, std::string_view host) {
    const bool enforce = policy.mode == StsMode::Enforce;
    HostTls t{{"mta-sts", sts_mode_name(policy.mode), false, ""}, enforce, std::nullopt, std::nullopt};
    t.check = tls::ClientCheck{tls::Verify::Chain, std::string(host), "", {}, !enforce};
    if (policy_allows_mx(policy, host)) return t;
    const smtp::Reply refused = replies::mx_not_in_policy(host);
    t.outcome.failed = true;
    t.outcome.why = refused.summary();
    if (enforce) t.refusal = refused;
    return t;
}

}  // namespace

HostTls host_tls(Resolver& resolver, bool dane, std::string_view host, unsigned port, bool names_secure,
                 const StsLookup& sts, io::Deadline deadline) {
    if (dane) {
        const Dane d = dane_for_host(resolver, host, port, names_secure, deadline);
        if (d.status != DaneStatus::None) return from_dane(d, host);
    }
    if (sts.policy && sts.policy->mode != StsMode::None) return from_sts(*sts.policy, host);
    return {};
}

}  // namespace orou::forward
