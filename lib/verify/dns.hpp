// DNS as the checks of orouboros-verify need it: the records of one name
// and type, through libunbound (the system's resolver configuration or one
// server, "addr" or "addr@port"), every lookup of a message under one
// deadline.  A lookup that times out or fails is TempFail: a temperror in
// the verdicts, never a refusal.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "forward/unbound_resolver.hpp"
#include "io/stream.hpp"

namespace orou::verify {

using forward::DnsStatus;

constexpr int kTypeA = 1, kTypePtr = 12, kTypeMx = 15, kTypeTxt = 16, kTypeAaaa = 28;

struct Records {
    DnsStatus status = DnsStatus::TempFail;
    std::vector<std::string> data;  // the rdata of each record, as on the wire
};

class Dns {
public:
    // server: "" for the system's configuration.  Throws ConfigError.
    Dns(const std::string& server, std::chrono::seconds timeout);

    // The lookups of one message begin: they end by now + timeout.
    void start_message();

    // Never throws for a failed lookup: that is TempFail.
    [[nodiscard]] Records query(std::string_view name, int type);
    // TXT records, the strings of each joined (RFC 7208 3.3, RFC 6376 3.6.2.2).
    [[nodiscard]] Records txt(std::string_view name);

private:
    forward::UnboundResolver resolver_;
    std::chrono::seconds timeout_;
    io::Deadline deadline_;
};

// The character strings of one TXT rdata, joined.
std::string join_txt(std::string_view rdata);

}  // namespace orou::verify
