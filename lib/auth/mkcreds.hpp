// orouboros-mkcreds: adds, changes, removes and lists the users of a
// credentials file, which it rewrites atomically (mode 0600), keeping the
// other users and work_factor.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "auth/secret.hpp"

namespace orou::auth {

struct MkcredsOptions {
    std::string file = "creds.json";
    std::string command;  // add, passwd, del, list
    std::string user;
    bool password_stdin = false;
};

using AskPassword = std::function<Secret()>;

// The password source the options name: a line of stdin, or /dev/tty twice.
AskPassword password_source(bool from_stdin);

// Runs one command; list writes to out.  ask is called only once the
// command is known to be possible (add: the user is new; passwd: it exists).
// Throws ExitError: EX_USAGE (bad command or USER), EX_DATAERR (add of an
// existing user, bad user name or password), EX_NOUSER (passwd or del of a
// missing user), EX_NOINPUT (no file, except for add), EX_CANTCREAT (the
// new file cannot be written); ConfigError for a file that is not valid.
int mkcreds_main(const MkcredsOptions& opt, const AskPassword& ask, std::ostream& out);

}  // namespace orou::auth
