// The command line (and configuration file) of orouboros-smtpd.
#pragma once

#include "smtpd/program.hpp"

namespace orou::cli {

// Bad usage prints a message and exits EX_USAGE here.
smtpd::Options parse_smtpd(int argc, char** argv);

}  // namespace orou::cli
