// The smtpd side of password checking: ask authcheck (or any saslauthd-
// protocol server) for a verdict, and with a yes the senders mapped to
// the user.  A checker never throws for a checker that is down, slow or
// broken: that is AuthResult::TempFail.
//
// The process must ignore SIGPIPE (smtpd does): a write to a checker that
// went away then fails with EPIPE, which becomes TempFail.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/result.hpp"
#include "auth/secret.hpp"

namespace orou::auth {

class Checker {
public:
    virtual ~Checker();
    [[nodiscard]] virtual Verdict check(std::string_view user, const Secret& password, std::string_view service) = 0;
};

// spec is one of
//   exec:/path/to/orouboros-authcheck --credentials /x/creds.json
//       a child spawned per check (argv split on blanks, no shell), spoken
//       to over two pipes, then waited for;
//   unix:/run/orouboros/auth.sock
//       a saslauthd-protocol socket: one connection for the checker's
//       checks, opened anew when the server has closed it (saslauthd
//       itself answers one request per connection).
// timeout bounds each whole check.  `client` (the client's address, or
// "") goes in the request's realm field, for the checker's throttle across
// connections (orouboros-authcheck --state-dir).  Throws ConfigError for a
// bad spec.
std::unique_ptr<Checker> make_checker(std::string_view spec, std::chrono::seconds timeout, std::string client = {});

}  // namespace orou::auth
