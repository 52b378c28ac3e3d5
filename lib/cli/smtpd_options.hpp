// The command line (and configuration file) of orouboros-smtpd.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "smtpd/program.hpp"

namespace orou::cli {

inline constexpr Spec kSmtpdSpec{
    "orouboros-smtpd", "smtpd",
    "orouboros-smtpd [--config FILE] [--tls none|starttls|implicit --cert FILE --key FILE]\n"
    "       [--delivery-domain D]... [--forward-domain D]... [--deliver SPEC] [--forward SPEC]\n"
    "       [--relay SPEC] [--auth SPEC] [options]"};

// The long names of its options.
std::vector<std::string> smtpd_keys();

// Bad usage prints a message and exits EX_USAGE here.
smtpd::Options parse_smtpd(int argc, char** argv);

}  // namespace orou::cli
