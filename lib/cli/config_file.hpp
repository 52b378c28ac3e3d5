// The configuration file, read line by line so that every setting keeps
// its line: `key = value` lines, `[section]` lines, `#` comments to the end
// of the line, blank lines.  Blanks around keys and values are dropped;
// keys before the first section are top-level keys.  This is the syntax of
// Boost.Program_options configuration files, which orouboros.conf(5)
// describes; Boost still gives the values their meaning.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace orou::cli {

struct ConfigSetting {
    std::string section;  // "" at the top level
    std::string key, value;
    int line = 0;
};

struct ConfigSection {
    std::string name;
    int line = 0;
};

struct ConfigFile {
    std::string path;
    std::vector<ConfigSetting> settings;  // in the file's order
    std::vector<ConfigSection> sections;  // each [name] line
};

// Parses `in`; throws ConfigError "PATH:LINE: ..." for a line that is no
// setting, no section and no comment.
ConfigFile parse_config_file(std::istream& in, std::string path);

// Reads the file: throws SysError when it does not open, else as above.
ConfigFile read_config_file(const std::string& path);

// Where a setting stands, for messages: "PATH:LINE: [section]" or
// "PATH:LINE: top level".
std::string where(const ConfigFile& file, const ConfigSetting& s);

}  // namespace orou::cli
