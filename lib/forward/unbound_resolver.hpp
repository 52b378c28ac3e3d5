// The Resolver through libunbound: the system's resolver configuration
// (/etc/resolv.conf, /etc/hosts), or one forwarder ("addr" or "addr@port",
// e.g. a DNS server on loopback that a test starts).  Given a trust
// anchor file, it validates DNSSEC itself: an answer that fails is a
// temporary failure, never used.  Every query waits on unbound's file
// descriptor under a deadline.
#pragma once

#include <unbound.h>

#include <memory>
#include <string>

#include "forward/resolver.hpp"

namespace orou::forward {

struct UbCtxFree {
    void operator()(ub_ctx* ctx) const noexcept { ub_ctx_delete(ctx); }
};
using UbCtx = std::unique_ptr<ub_ctx, UbCtxFree>;

struct UbResultFree {
    void operator()(ub_result* r) const noexcept { ub_resolve_free(r); }
};
using UbResult = std::unique_ptr<ub_result, UbResultFree>;

// What an answer says, apart from its records (`error` for the log).
DnsStatus status_of(const ub_result& r, std::string& error);
// A domain name in wire form (as libunbound gives rdata) as lower-case
// text without the trailing dot; "" for the root.
std::string wire_name(const unsigned char* p, std::size_t len);

class UnboundResolver final : public Resolver {
public:
    // forwarder: "" for the system configuration; anchor: a file of DS or
    // DNSKEY records (e.g. /usr/share/dns/root.key), "" for no DNSSEC
    // validation.  Throws ConfigError.
    UnboundResolver(const std::string& forwarder, const std::string& anchor);

    MxAnswer mx(std::string_view domain, io::Deadline deadline) override;
    AddressAnswer addresses(std::string_view host, io::Deadline deadline) override;
    TlsaAnswer tlsa(std::string_view host, unsigned port, io::Deadline deadline) override;
    TxtAnswer txt(std::string_view name, io::Deadline deadline) override;

    // One query: the result, or null with the reason in `error`
    // (a timeout or a failure inside unbound).
    UbResult query(std::string_view name, int type, io::Deadline deadline, std::string& error);

private:
    UbCtx ctx_;
};

}  // namespace orou::forward
