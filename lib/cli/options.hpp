// Command line and configuration file, through Boost.Program_options.
// The file holds the same options as `key = value` lines: top-level keys
// apply to every program, keys under `[section]` to that program only.
// The command line wins over the file.  A key in the program's own section
// that it does not know is an error; an unknown top-level key is ignored.
// The file is the one --config names, else kDefaultConfig when it exists
// (`--config /dev/null` reads none).  A program whose options include
// `section` reads `[NAME]` instead of its own section with --section NAME.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace orou::cli {

namespace po = boost::program_options;

inline constexpr const char* kDefaultConfig = "/etc/orouboros/orouboros.conf";

struct Spec {
    const char* prog;     // "orouboros-smtpd"
    const char* section;  // "smtpd"
    const char* usage;    // the synopsis line(s), printed on usage errors
    // Keys that name one setting, or choices of which one is given:
    // blank-separated, groups separated by '|' ("file credentials|host mx").
    // One of a group given on the command line, the file's are not read.
    const char* groups = "";
};

// Parses argv (and the file named by --config, when desc has it).  Prints
// --help, or --version ("PROGRAM VERSION"), and exits 0; prints a usage error and exits EX_USAGE on bad input.
po::variables_map parse(int argc, char** argv, const Spec& spec, const po::options_description& desc,
                        const po::positional_options_description& positional = {});

// The same without a word to the terminal: throws po::error on bad usage,
// ConfigError or SysError for a file that does not read; --help is only
// stored.
po::variables_map read_options(int argc, char** argv, const Spec& spec, const po::options_description& desc,
                               const po::positional_options_description& positional = {});

// The options found in a configuration file for `section`, as command-line
// words ("--key=value"), so that the one parser validates both.
std::vector<std::string> config_words(std::string_view path, std::string_view section,
                                      const po::options_description& desc);

// The host name (gethostname), "localhost" when there is none: the name
// orouboros-smtpd greets with and writes in Received.
std::string default_hostname();

// The directory of the running program (where its sibling programs are).
std::string program_dir(const char* argv0);

// Reads a list file: one entry a line, blank lines and # comments skipped.
std::vector<std::string> read_list_file(const std::string& path);

}  // namespace orou::cli
