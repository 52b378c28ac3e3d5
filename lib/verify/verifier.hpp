// What orouboros-verify does to one message that arrives from the
// internet: SPF for the client address with the MAIL FROM and HELO
// identities, every DKIM signature, DMARC for the From domain; the
// verdicts as one Authentication-Results header field for the top of the
// message; and, when asked, a refusal for what fails DMARC under p=reject.
// Every lookup of a message shares one deadline; a DNS failure is a
// temperror, never a refusal.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/message.hpp"
#include "verify/dkim.hpp"
#include "verify/dmarc.hpp"
#include "verify/dns.hpp"
#include "verify/results.hpp"
#include "verify/spf.hpp"

namespace orou::verify {

struct Config {
    std::string authserv_id;                  // the name in the header field
    std::string dns_server;                   // "addr" or "addr@port"; "" for /etc/resolv.conf
    std::chrono::seconds lookup_timeout{10};  // all lookups of one message
    bool dmarc_reject = false;                // refuse a DMARC failure under p=reject
    std::string public_suffix_list = kPublicSuffixList;
};

// What the stage before knows of the client (XFORWARD).
struct Client {
    std::string addr;    // "" when not known: no SPF check
    std::string helo;    // "" when not known
    std::string sender;  // MAIL FROM, "" for the null sender
};

struct Outcome {
    Verdicts verdicts;
    std::vector<std::string> header;  // the Authentication-Results field, lines without line ends
    bool refuse = false;              // DMARC failed under p=reject and Config::dmarc_reject is set
    // For each Authentication-Results field of the message, in order:
    // whether it claims our authserv-id (and is to be left out).
    std::vector<bool> forged;
};

// The client address as XFORWARD gave it, as inet_pton reads it (Postfix
// writes IPv6 ones with an "IPv6:" prefix); "" when it is no address.
std::string client_address(std::string addr);

// One per session (libunbound's context must not cross a fork), while a
// DmarcLibrary lives.
class Verifier {
public:
    // Borrows `config`.  Throws ConfigError.
    explicit Verifier(const Config& config);

    // Throws SysError when the message cannot be read back.
    [[nodiscard]] Outcome check(const Client& client, const smtp::MessageSource& message);

    const Config& config() const { return config_; }

private:
    std::vector<SpfVerdict> check_spf(const Client& client);

    const Config& config_;
    Dns dns_;
    Spf spf_;
    Dkim dkim_;
    Dmarc dmarc_;
};

}  // namespace orou::verify
