#include "forward/mx.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "forward/replies.hpp"

namespace orou::forward {

std::vector<std::string> order_mx(std::vector<MxRecord> records, std::mt19937& random) {
    std::shuffle(records.begin(), records.end(), random);
    std::stable_sort(records.begin(), records.end(),
                     [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
    std::vector<std::string> hosts;
    for (auto& r : records) {
        if (r.host.empty() || std::find(hosts.begin(), hosts.end(), r.host) != hosts.end()) continue;
        if (hosts.size() < kMaxMailHosts) hosts.push_back(std::move(r.host));
    }
    return hosts;
}

MailHosts mail_hosts(Resolver& resolver, std::string_view domain, io::Deadline deadline, std::mt19937& random) {
    if (ip_literal(domain)) return {{std::string(domain)}, true, std::nullopt};
    MxAnswer answer = resolver.mx(domain, deadline);
    switch (answer.status) {
    case DnsStatus::TempFail: return {{}, false, replies::dns_temporary(domain, answer.error)};
    case DnsStatus::NotFound: return {{}, false, replies::no_such_domain(domain)};
    case DnsStatus::NoData: return {{std::string(domain)}, true, std::nullopt, answer.secure};
    case DnsStatus::Ok: break;
    }
    if (answer.records.empty()) return {{std::string(domain)}, true, std::nullopt, answer.secure};
    const bool null_mx =
        std::all_of(answer.records.begin(), answer.records.end(), [](const MxRecord& r) { return r.host.empty(); });
    if (null_mx) return {{}, false, replies::null_mx(domain)};
    return {order_mx(std::move(answer.records), random), false, std::nullopt, answer.secure};
}

std::optional<std::string> ip_literal(std::string_view host) {
    std::string h(host);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.size() > 5 && (h.compare(0, 5, "IPv6:") == 0 || h.compare(0, 5, "ipv6:") == 0)) h = h.substr(5);
    unsigned char buf[sizeof(in6_addr)];
    if (::inet_pton(AF_INET, h.c_str(), buf) == 1 || ::inet_pton(AF_INET6, h.c_str(), buf) == 1) return h;
    return std::nullopt;
}

AddressAnswer host_addresses(Resolver& resolver, std::string_view host, io::Deadline deadline) {
    if (auto ip = ip_literal(host)) return {DnsStatus::Ok, {*ip}, ""};
    return resolver.addresses(host, deadline);
}

}  // namespace orou::forward
