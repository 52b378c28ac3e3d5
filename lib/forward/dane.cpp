#include "forward/dane.hpp"

namespace orou::forward {

bool usable_tlsa(const tls::Tlsa& record) {
    return (record.usage == 2 || record.usage == 3) && record.selector <= 1 && record.mtype <= 2 &&
           !record.data.empty();
}

Dane dane_for_host(Resolver& resolver, std::string_view host, unsigned port, bool names_secure, io::Deadline deadline) {
    if (!names_secure) return {};
    TlsaAnswer answer = resolver.tlsa(host, port, deadline);
    if (answer.status == DnsStatus::TempFail) return {DaneStatus::Failed, {}, answer.error};
    if (answer.status != DnsStatus::Ok || !answer.secure) return {};
    Dane dane{DaneStatus::EncryptOnly, {}, ""};
    for (auto& r : answer.records)
        if (usable_tlsa(r)) dane.records.push_back(std::move(r));
    if (!dane.records.empty()) dane.status = DaneStatus::Authenticate;
    return dane;
}

}  // namespace orou::forward
