// The verdict of a password check, as smtpd needs it.
#pragma once

#include <string>
#include <vector>

namespace orou::auth {

enum class AuthResult {
    Ok,        // the password is right
    Refused,   // wrong password or unknown user: 535 5.7.8
    TempFail,  // no verdict (checker down, timed out, cannot read its file): 454 4.7.0
};

struct Verdict {
    AuthResult result = AuthResult::TempFail;
    // With Ok: the envelope senders mapped to the user (auth/senders.hpp),
    // normalized; empty when none are mapped.
    std::vector<std::string> senders;
};

}  // namespace orou::auth
