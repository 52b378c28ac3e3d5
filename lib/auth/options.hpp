// The command lines of orouboros-authcheck and orouboros-mkcreds (and
// their [authcheck] / [mkcreds] sections of the configuration file),
// through orou::cli::parse.  Bad usage prints a message and exits EX_USAGE.
#pragma once

#include "auth/authcheck.hpp"
#include "auth/mkcreds.hpp"
#include "cli/options.hpp"

namespace orou::auth {

inline constexpr cli::Spec kAuthcheckSpec{
    "orouboros-authcheck", "authcheck",
    "orouboros-authcheck [--credentials FILE] [--config FILE] [--log TARGET] [--log-level LEVEL]\n"
    "           [--request-timeout SECONDS] [--fail-delay SECONDS] [--state-dir DIR] [--max-fail-delay SECONDS]\n"
    "           [--max-connections N] [--workers N] [--max-use N]\n"
    "           [--checkpassword [PROG ARGS...]]",
    "credentials user-credentials", "timeout=request-timeout"};

inline constexpr cli::Spec kMkcredsSpec{
    "orouboros-mkcreds", "mkcreds",
    "orouboros-mkcreds [--file FILE] [--password-stdin] [--config FILE] add|passwd|del|list [USER]\n"
    "       orouboros-mkcreds [--file FILE] [--config FILE] senders USER [list | add SENDER... | remove SENDER...]",
    "file credentials user-credentials"};

// Their options.
cli::po::options_description authcheck_options();
cli::po::options_description mkcreds_options();

// Everything after --checkpassword is PROG ARGS..., untouched.
AuthcheckOptions parse_authcheck_options(int argc, char** argv);

MkcredsOptions parse_mkcreds_options(int argc, char** argv);

}  // namespace orou::auth
