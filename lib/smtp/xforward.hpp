// What an smtpd knows of its client, passed on to the next stage with
// Postfix's XFORWARD extension (see Postfix's XFORWARD_README): the stage
// offers "XFORWARD NAME ADDR PROTO HELO IDENT" in its LHLO reply, and the
// client sends "XFORWARD ATTR=value ..." commands before MAIL; the facts
// hold for the next transaction only.  Values are xtext (RFC 3461 4),
// "[UNAVAILABLE]" for one that is not known.
//
// Whether the client authenticated is not among them: smtpd passes the
// login as MAIL's AUTH= parameter (RFC 4954 5), to a stage that offers
// XFORWARD (a filter of the suite that trusts its client; no other stage
// is sent AUTH=), and smtpd itself never passes on an AUTH= its own
// client gave.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orou::smtp {

struct ClientFacts {
    std::string name;   // NAME: the client's host name, "" when not known
    std::string addr;   // ADDR: its IP address
    std::string helo;   // HELO: the name it gave in HELO/EHLO
    std::string proto;  // PROTO: SMTP or ESMTP
    std::string ident;  // IDENT: the smtpd's session id, for the logs
    bool operator==(const ClientFacts&) const = default;
};

// "XFORWARD": the EHLO and LHLO keyword, and the attributes offered.
inline constexpr const char* kXforwardExtension = "XFORWARD";
inline constexpr const char* kXforwardOffer = "XFORWARD NAME ADDR PROTO HELO IDENT";

// The arguments of the XFORWARD commands that pass `facts` on (each under
// Postfix's 512-byte line limit); the empty facts are left out.
std::vector<std::string> xforward_args(const ClientFacts& facts);

// Takes one XFORWARD command's arguments into `facts`; false on a syntax
// error or an attribute that is not one of the five (nothing is taken).
bool take_xforward(std::string_view args, ClientFacts& facts);

// RFC 3461 xtext: '+', '=', and bytes outside 33..126 as "+XX".
std::string xtext_encode(std::string_view text);
// nullopt for a malformed "+XX".
std::optional<std::string> xtext_decode(std::string_view text);

}  // namespace orou::smtp
