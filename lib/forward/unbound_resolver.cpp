#include "forward/unbound_resolver.hpp"

#include <arpa/inet.h>

#include <cctype>

#include "base/error.hpp"

namespace orou::forward {

namespace {

constexpr int kTypeA = 1, kTypeMx = 15, kTypeTxt = 16, kTypeAaaa = 28, kTypeTlsa = 52, kClassIn = 1;
constexpr int kRcodeNxDomain = 3;

struct Pending {
    bool done = false;
    int err = 0;
    ub_result* result = nullptr;
};

void on_answer(void* arg, int err, ub_result* result) noexcept {
    auto* pending = static_cast<Pending*>(arg);
    pending->done = true;
    pending->err = err;
    pending->result = result;
}

void check_ub(int rc, const std::string& what) {
    if (rc != 0) throw ConfigError("resolver: cannot " + what + ": " + ub_strerror(rc));
}

std::string rcode_name(int rcode) {
    switch (rcode) {
    case 2: return "SERVFAIL";
    case 5: return "REFUSED";
    default: return "rcode " + std::to_string(rcode);
    }
}

void add_addresses(const ub_result& r, int family, std::vector<std::string>& out) {
    const int size = family == AF_INET ? 4 : 16;
    for (int i = 0; r.data && r.data[i]; ++i) {
        if (r.len[i] != size) continue;
        char text[INET6_ADDRSTRLEN] = {};
        if (::inet_ntop(family, r.data[i], text, sizeof text)) out.emplace_back(text);
    }
}

}  // namespace

// What an answer says, apart from its records.
DnsStatus status_of(const ub_result& r, std::string& error) {
    if (r.bogus) error = std::string("DNSSEC validation failed: ") + (r.why_bogus ? r.why_bogus : "bogus");
    else if (r.rcode == kRcodeNxDomain) error = "no such domain (NXDOMAIN)";
    else if (r.rcode != 0) error = "DNS error " + rcode_name(r.rcode);
    else if (!r.havedata) error = "no records of this type";
    if (r.bogus || (r.rcode != 0 && r.rcode != kRcodeNxDomain)) return DnsStatus::TempFail;
    if (r.rcode == kRcodeNxDomain) return DnsStatus::NotFound;
    return r.havedata ? DnsStatus::Ok : DnsStatus::NoData;
}

// A domain name in wire form (uncompressed, as libunbound gives rdata) to
// lower-case text without the trailing dot; "" for the root.
std::string wire_name(const unsigned char* p, std::size_t len) {
    std::string name;
    std::size_t i = 0;
    while (i < len && p[i] != 0 && i + 1 + p[i] <= len) {
        if (!name.empty()) name += '.';
        for (std::size_t k = 1; k <= p[i]; ++k) name += static_cast<char>(std::tolower(p[i + k]));
        i += 1 + p[i];
    }
    return name;
}

UnboundResolver::UnboundResolver(const std::string& forwarder, const std::string& anchor) : ctx_(ub_ctx_create()) {
    if (!ctx_) throw ConfigError("resolver: cannot create the libunbound context");
    check_ub(ub_ctx_async(ctx_.get(), 1), "resolve in a thread");
    if (!anchor.empty()) check_ub(ub_ctx_add_ta_file(ctx_.get(), anchor.c_str()), "read the trust anchor " + anchor);
    // A resolver on loopback (systemd-resolved's 127.0.0.53, a local unbound)
    // is the usual one: libunbound would not ask it otherwise.
    check_ub(ub_ctx_set_option(ctx_.get(), "do-not-query-localhost:", "no"), "allow a resolver on loopback");
    if (forwarder.empty()) {
        check_ub(ub_ctx_resolvconf(ctx_.get(), nullptr), "read /etc/resolv.conf");
        check_ub(ub_ctx_hosts(ctx_.get(), nullptr), "read /etc/hosts");
        return;
    }
    check_ub(ub_ctx_set_fwd(ctx_.get(), forwarder.c_str()), "use the resolver " + forwarder);
}

UbResult UnboundResolver::query(std::string_view name, int type, io::Deadline deadline, std::string& error) {
    Pending pending;
    int id = 0;
    const std::string n(name);
    if (int rc = ub_resolve_async(ctx_.get(), n.c_str(), type, kClassIn, &pending, on_answer, &id); rc != 0) {
        error = std::string("DNS query failed: ") + ub_strerror(rc);
        return nullptr;
    }
    while (!pending.done) {
        if (!io::wait_fd(ub_fd(ctx_.get()), false, deadline)) {
            ub_cancel(ctx_.get(), id);
            error = "DNS query timed out";
            return nullptr;
        }
        ub_process(ctx_.get());
    }
    UbResult result(pending.result);
    if (pending.err != 0 || !result) {
        error = std::string("DNS query failed: ") + ub_strerror(pending.err);
        return nullptr;
    }
    return result;
}

MxAnswer UnboundResolver::mx(std::string_view domain, io::Deadline deadline) {
    MxAnswer answer;
    UbResult r = query(domain, kTypeMx, deadline, answer.error);
    if (!r) return answer;
    answer.status = status_of(*r, answer.error);
    answer.secure = r->secure != 0;
    if (answer.status != DnsStatus::Ok) return answer;
    for (int i = 0; r->data[i]; ++i) {
        if (r->len[i] < 3) continue;
        const auto* p = reinterpret_cast<const unsigned char*>(r->data[i]);
        answer.records.push_back(
            {static_cast<unsigned>(p[0] << 8 | p[1]), wire_name(p + 2, static_cast<std::size_t>(r->len[i] - 2))});
    }
    return answer;
}

// A and AAAA: found when either has records; temporary when either failed
// for now and neither has records.
AddressAnswer UnboundResolver::addresses(std::string_view host, io::Deadline deadline) {
    AddressAnswer answer{DnsStatus::NotFound, {}, "", true};
    bool temporary = false, exists = false;
    for (auto [type, family] : {std::pair{kTypeA, AF_INET}, std::pair{kTypeAaaa, AF_INET6}}) {
        std::string error;
        UbResult r = query(host, type, deadline, error);
        DnsStatus st = r ? status_of(*r, error) : DnsStatus::TempFail;
        if (st == DnsStatus::Ok) add_addresses(*r, family, answer.addresses);
        answer.secure = answer.secure && r && r->secure;
        temporary = temporary || st == DnsStatus::TempFail;
        exists = exists || st == DnsStatus::NoData || st == DnsStatus::Ok;
        if (!error.empty() && answer.error.empty()) answer.error = error;
    }
    if (!answer.addresses.empty()) answer.status = DnsStatus::Ok;
    else if (temporary) answer.status = DnsStatus::TempFail;
    else if (exists) answer.status = DnsStatus::NoData;
    if (answer.status == DnsStatus::Ok) answer.error.clear();
    return answer;
}

TlsaAnswer UnboundResolver::tlsa(std::string_view host, unsigned port, io::Deadline deadline) {
    TlsaAnswer answer;
    UbResult r = query("_" + std::to_string(port) + "._tcp." + std::string(host), kTypeTlsa, deadline, answer.error);
    if (!r) return answer;
    answer.status = status_of(*r, answer.error);
    answer.secure = r->secure != 0;
    if (answer.status != DnsStatus::Ok) return answer;
    for (int i = 0; r->data[i]; ++i) {
        if (r->len[i] < 4) continue;
        const auto* p = reinterpret_cast<const unsigned char*>(r->data[i]);
        answer.records.push_back(
            {p[0], p[1], p[2], std::string(r->data[i] + 3, static_cast<std::size_t>(r->len[i] - 3))});
    }
    return answer;
}

// Each record's character-strings joined (RFC 7208 3.3, RFC 8461 3.1).
TxtAnswer UnboundResolver::txt(std::string_view name, io::Deadline deadline) {
    TxtAnswer answer;
    UbResult r = query(name, kTypeTxt, deadline, answer.error);
    if (!r) return answer;
    answer.status = status_of(*r, answer.error);
    if (answer.status != DnsStatus::Ok) return answer;
    for (int i = 0; r->data[i]; ++i) {
        const auto* p = reinterpret_cast<const unsigned char*>(r->data[i]);
        const auto len = static_cast<std::size_t>(r->len[i]);
        std::string text;
        for (std::size_t k = 0; k < len && k + 1 + p[k] <= len; k += 1 + p[k])
            text.append(reinterpret_cast<const char*>(p + k + 1), p[k]);
        answer.texts.push_back(std::move(text));
    }
    return answer;
}

}  // namespace orou::forward
