// The verdicts of orouboros-verify on one message, as RFC 8601 names them,
// and the Authentication-Results header field that carries them home.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orou::verify {

// One SPF check: of the MAIL FROM identity (property "mailfrom") or of the
// HELO name (property "helo").
struct SpfVerdict {
    std::string result;    // pass fail softfail neutral none temperror permerror
    std::string property;  // "mailfrom" or "helo"
    std::string identity;  // the address or the HELO name checked
};

// One DKIM-Signature header field.
struct DkimVerdict {
    std::string result;  // pass fail neutral temperror permerror
    std::string domain;  // d=
    std::string selector;
    std::string b;       // the first characters of b=, to tell signatures apart
    std::string reason;  // for the comment and the log, "" when it passed
};

struct DmarcVerdict {
    std::string result = "none";  // pass fail none temperror permerror
    std::string from_domain;      // "" when the message has no single From
    std::string policy;           // p= of the record: none quarantine reject, "" when none
    std::string disposition;      // what the policy asks of this message: none quarantine reject
    bool spf_aligned = false;
    bool dkim_aligned = false;
};

struct Verdicts {
    std::vector<SpfVerdict> spf;
    std::vector<DkimVerdict> dkim;  // empty: the message has no signature (dkim=none)
    DmarcVerdict dmarc;
};

// The header field, lines without line ends, the first
// "Authentication-Results: <authserv_id>;", each result on a line of its
// own (RFC 8601 2.2).
std::vector<std::string> format_header(std::string_view authserv_id, const Verdicts& verdicts);

// Whether a header field (name, colon, value; continuation lines joined
// with CRLF or LF) is an Authentication-Results field that claims
// `authserv_id`: compared without regard to case, comments and folding
// skipped (RFC 8601 5).
bool claims_authserv_id(std::string_view field, std::string_view authserv_id);

// Whether a field name (as written before the colon) is
// Authentication-Results, case and trailing blanks aside.
bool is_auth_results_name(std::string_view name);

// A value as RFC 8601 wants it: as it is when it is a token or an
// addr-spec of tokens, else a quoted-string.
std::string pvalue(std::string_view value);

}  // namespace orou::verify
