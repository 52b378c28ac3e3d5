// DMARC (RFC 7489) through libopendmarc: the record of the From domain
// (or of its organizational domain, by the public suffix list) looked up
// through verify::Dns, SPF and DKIM verdicts weighed against it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "verify/dns.hpp"
#include "verify/results.hpp"

namespace orou::verify {

// Where the public suffix list is (Debian's publicsuffix); without it the
// organizational domain is the From domain itself.
inline constexpr const char* kPublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat";

// libopendmarc's state for the process (the public suffix list read in):
// made once, before sessions are forked.
class DmarcLibrary {
public:
    // Throws ConfigError.
    explicit DmarcLibrary(const std::string& public_suffix_list);
    ~DmarcLibrary();
    DmarcLibrary(const DmarcLibrary&) = delete;
    DmarcLibrary& operator=(const DmarcLibrary&) = delete;
};

class Dmarc {
public:
    // Borrows `dns`; a DmarcLibrary lives meanwhile.
    explicit Dmarc(Dns& dns) : dns_(dns) {}

    // The verdict for a message from `client` whose From domain is
    // `from_domain` ("" when it has not exactly one From address:
    // permerror), with the SPF verdict of its MAIL FROM (or HELO) and its
    // DKIM verdicts.
    [[nodiscard]] DmarcVerdict check(std::string_view client, std::string_view from_domain, const SpfVerdict& spf,
                                     const std::vector<DkimVerdict>& dkim);

private:
    Dns& dns_;
};

}  // namespace orou::verify
