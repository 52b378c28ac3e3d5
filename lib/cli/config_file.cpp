#include "cli/config_file.hpp"

#include <cerrno>
#include <fstream>

#include "base/error.hpp"

namespace orou::cli {

namespace {

// A line may be long, but a file is the administrator's: bounded anyway.
constexpr std::size_t kMaxLines = 100000;

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string_view without_comment(std::string_view line) { return trim(line.substr(0, line.find('#'))); }

}  // namespace

ConfigFile parse_config_file(std::istream& in, std::string path) {
    ConfigFile file{std::move(path), {}, {}};
    std::string section, raw;
    for (int n = 1; std::getline(in, raw); ++n) {
        if (static_cast<std::size_t>(n) > kMaxLines) throw ConfigError(file.path + ": more than 100000 lines");
        const std::string_view line = without_comment(raw);
        if (line.empty()) continue;
        const std::string at = file.path + ":" + std::to_string(n) + ": ";
        if (line.front() == '[') {
            if (line.back() != ']' || trim(line.substr(1, line.size() - 2)).empty())
                throw ConfigError(at + "a section line is [NAME]");
            section = trim(line.substr(1, line.size() - 2));
            file.sections.push_back({section, n});
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos || trim(line.substr(0, eq)).empty())
            throw ConfigError(at + "not a KEY = VALUE line: " + std::string(line));
        file.settings.push_back(
            {section, std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))), n});
    }
    return file;
}

ConfigFile read_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw SysError("open configuration file " + path, errno);
    return parse_config_file(in, path);
}

std::string where(const ConfigFile& file, const ConfigSetting& s) {
    return file.path + ":" + std::to_string(s.line) + ": " + (s.section.empty() ? "top level" : "[" + s.section + "]");
}

}  // namespace orou::cli
