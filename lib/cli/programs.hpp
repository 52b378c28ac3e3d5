// The programs of the suite that read the configuration file, in one
// table: each one's Spec (its section) and the keys it knows.  So a
// top-level key is known when any program knows it, and a section when a
// program reads it.  A new program is one row of the table in programs.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/config_file.hpp"
#include "cli/options.hpp"

namespace orou::cli {

struct Program {
    const Spec* spec;
    std::vector<std::string> (*keys)();  // the long names of its options
    const char* other_sections = "";     // read with --section NAME, blank-separated
};

// Every program of the suite.
std::span<const Program> programs();

// The long names of the options of a description.
std::vector<std::string> option_names(const po::options_description& desc);

// The problems of a configuration file as a whole, one line each, in the
// file's order ("PATH:LINE: [smtpd] unknown key 'hostnam'"): a section
// that no program reads, a key that the section's program does not know,
// a top-level key that no program knows or that means different things to
// different programs.  The running program passes its own section and
// options (its --section may name any section).
std::vector<std::string> config_file_problems(const ConfigFile& file, const Spec& own, std::string_view own_section,
                                              const po::options_description& own_options);

// The new name of a deprecated one (Spec::aliases), "" when `key` is none.
std::string alias_target(const Spec& spec, std::string_view key);

}  // namespace orou::cli
