// DNS as orouboros-forward needs it, behind a small interface so that the
// choice of mail exchangers is tested with a fake: the MX records of a
// domain, the addresses of a host, a host's TLSA records (DANE, RFC 7672)
// and a name's TXT records (MTA-STS, RFC 8461).  `secure` is true only
// when DNSSEC validated the answer (RFC 4035 "secure").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "io/stream.hpp"
#include "tls/client.hpp"

namespace orou::forward {

enum class DnsStatus {
    Ok,        // records found
    NoData,    // the name exists, without records of this type
    NotFound,  // NXDOMAIN: the name does not exist
    TempFail,  // no answer now (timeout, SERVFAIL, a DNSSEC failure)
};

struct MxRecord {
    unsigned preference = 0;
    std::string host;  // lower case, no trailing dot; "" for the root (null MX, RFC 7505)
};

struct MxAnswer {
    DnsStatus status = DnsStatus::TempFail;
    std::vector<MxRecord> records;
    std::string error;  // for the log, when not Ok
    bool secure = false;
};

struct AddressAnswer {
    DnsStatus status = DnsStatus::TempFail;
    std::vector<std::string> addresses;  // IPv4 first, then IPv6, as text
    std::string error;
    bool secure = false;
};

struct TlsaAnswer {
    DnsStatus status = DnsStatus::TempFail;
    std::vector<tls::Tlsa> records;
    std::string error;
    bool secure = false;
};

struct TxtAnswer {
    DnsStatus status = DnsStatus::TempFail;
    std::vector<std::string> texts;  // each record's strings joined
    std::string error;
};

class Resolver {
public:
    virtual ~Resolver() = default;
    [[nodiscard]] virtual MxAnswer mx(std::string_view domain, io::Deadline deadline) = 0;
    // A and AAAA records of `host`.
    [[nodiscard]] virtual AddressAnswer addresses(std::string_view host, io::Deadline deadline) = 0;
    // TLSA records of _PORT._tcp.HOST.
    [[nodiscard]] virtual TlsaAnswer tlsa(std::string_view host, unsigned port, io::Deadline deadline) = 0;
    [[nodiscard]] virtual TxtAnswer txt(std::string_view name, io::Deadline deadline) = 0;
};

}  // namespace orou::forward
