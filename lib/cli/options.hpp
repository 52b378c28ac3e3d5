// Command line and configuration file, through Boost.Program_options.
// The file holds the same options as `key = value` lines: top-level keys
// apply to every program that knows them, keys under `[section]` to that
// section's program only.  The command line wins over the section, the
// section over the top level.  A key that no program of the suite knows
// (cli/programs.hpp), anywhere in the file, is an error.
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
    const char* prog = "";     // "orouboros-smtpd"
    const char* section = "";  // "smtpd"
    const char* usage = "";    // the synopsis line(s), printed on usage errors
    // Keys that name one setting, or choices of which one is given:
    // blank-separated, groups separated by '|' ("file credentials|host mx").
    // One of a group given on the command line, the file's are not read.
    const char* groups = "";
    // Deprecated names of options, as "old=new" blank-separated
    // ("timeout=idle-timeout"): on the command line and in the program's
    // section the old name is read as the new one, with a warning; at the
    // top level an old name is an error, as it may mean different things to
    // different programs.
    const char* aliases = "";
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
// words ("--key=value"), so that the one parser validates both.  Throws
// ConfigError naming the file, the line and the section of every setting
// that no program knows (config_file_problems) or whose value is bad.
std::vector<std::string> config_words(std::string_view path, std::string_view section,
                                      const po::options_description& desc, const Spec& spec = {});

// The words of argv after argv[0], each deprecated option name of
// spec.aliases replaced by the new one (with a warning on stderr).
std::vector<std::string> command_line_words(int argc, char** argv, const Spec& spec);

// The lines of a text ("a\nb": "a", "b"), as a message of several
// problems holds them.
std::vector<std::string> lines_of(std::string_view text);

// "PROG: fatal: LINE" on stderr for each line of `what`.
void print_fatal(const char* prog, std::string_view what);

// The host name (gethostname), "localhost" when there is none: the name
// orouboros-smtpd greets with and writes in Received.
std::string default_hostname();

// The directory of the running program (where its sibling programs are).
std::string program_dir(const char* argv0);

// Reads a list file: one entry a line, blank lines and # comments skipped.
std::vector<std::string> read_list_file(const std::string& path);

}  // namespace orou::cli
