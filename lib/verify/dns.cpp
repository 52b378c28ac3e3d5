#include "verify/dns.hpp"

namespace orou::verify {

Dns::Dns(const std::string& server, std::chrono::seconds timeout)
    : resolver_(server, ""), timeout_(timeout), deadline_(io::Clock::now() + timeout) {}

void Dns::start_message() { deadline_ = io::Clock::now() + timeout_; }

Records Dns::query(std::string_view name, int type) {
    Records out;
    std::string error;
    forward::UbResult r = resolver_.query(name, type, deadline_, error);
    if (!r) return out;
    out.status = forward::status_of(*r, error);
    if (out.status != DnsStatus::Ok) return out;
    for (int i = 0; r->data && r->data[i]; ++i) out.data.emplace_back(r->data[i], static_cast<std::size_t>(r->len[i]));
    if (out.data.empty()) out.status = DnsStatus::NoData;
    return out;
}

Records Dns::txt(std::string_view name) {
    Records r = query(name, kTypeTxt);
    for (auto& d : r.data) d = join_txt(d);
    return r;
}

std::string join_txt(std::string_view rdata) {
    std::string text;
    std::size_t i = 0;
    while (i < rdata.size()) {
        const std::size_t len = static_cast<unsigned char>(rdata[i]);
        text.append(rdata.substr(i + 1, len));
        i += 1 + len;
    }
    return text;
}

}  // namespace orou::verify
