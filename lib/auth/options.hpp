// The command lines of orouboros-authcheck and orouboros-mkcreds (and
// their [authcheck] / [mkcreds] sections of the configuration file),
// through orou::cli::parse.  Bad usage prints a message and exits EX_USAGE.
#pragma once

#include "auth/authcheck.hpp"
#include "auth/mkcreds.hpp"

namespace orou::auth {

// Everything after --checkpassword is PROG ARGS..., untouched.
AuthcheckOptions parse_authcheck_options(int argc, char** argv);

MkcredsOptions parse_mkcreds_options(int argc, char** argv);

}  // namespace orou::auth
