// orouboros-mkcreds: adds, changes, removes and lists the users of a
// credentials file and the senders mapped to them, rewriting the file
// atomically (mode 0600), keeping the other users and work_factor.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "auth/secret.hpp"

namespace orou::auth {

struct MkcredsOptions {
    std::string file = "creds.json";
    std::string command;  // add, passwd, del, list, senders
    std::string user;
    bool password_stdin = false;
    std::vector<std::string> args;  // senders: [list] | add SENDER... | remove SENDER...
};

using AskPassword = std::function<Secret()>;

// The password source the options name: a line of stdin, or /dev/tty twice.
AskPassword password_source(bool from_stdin);

// Runs one command; list and senders [list] write to out.  ask is called
// only once the command is known to be possible (add: the user is new;
// passwd: it exists).  Throws ExitError: EX_USAGE (bad command, USER or
// arguments), EX_DATAERR (add of an existing user, bad user name, password
// or sender, more than kMaxSenders, remove of a sender the user does not
// have), EX_NOUSER (passwd, del or senders of a missing user), EX_NOINPUT
// (no file, except for add), EX_CANTCREAT (the new file cannot be
// written); ConfigError for a file that is not valid.
int mkcreds_main(const MkcredsOptions& opt, const AskPassword& ask, std::ostream& out);

}  // namespace orou::auth
