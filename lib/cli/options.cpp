#include "cli/options.hpp"

#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "base/error.hpp"
#include "base/version.hpp"
#include "cli/config_file.hpp"
#include "cli/programs.hpp"

namespace orou::cli {

namespace {

bool is_false(std::string_view v) { return v == "no" || v == "false" || v == "0" || v == "off"; }

// The command-line word of a file's setting: "--key=value", or "--key" for a switch ("" when off).
std::string file_word(const po::option_description& d, const std::string& key, const std::string& value) {
    if (d.semantic()->max_tokens() > 0) return "--" + key + "=" + value;
    return is_false(value) ? "" : "--" + key;
}

// Throws ConfigError with every line of `problems`, when there is one.
void throw_problems(const std::vector<std::string>& problems) {
    if (problems.empty()) return;
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
    throw ConfigError(all);
}

// Whether the options take these values ("" when they do).
std::string value_problem(const po::options_description& desc, const std::vector<std::string>& words) {
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(words).options(desc).run(), vm);
    } catch (const po::error& e) {
        return e.what();
    }
    return "";
}

// The configuration file to read: --config, else the default one when the
// program takes --config and the file exists; "" for none.
std::string config_file(const po::variables_map& vm, const po::options_description& desc) {
    if (vm.count("config")) return vm["config"].as<std::string>();
    if (!desc.find_nothrow("config", false)) return "";
    return ::access(kDefaultConfig, F_OK) == 0 ? kDefaultConfig : "";
}

// Every program's options, and --version.
po::options_description with_version(const po::options_description& desc) {
    po::options_description all;
    all.add(desc).add_options()("version", "print the version and exit");
    return all;
}

// The key of a word made by config_words: "--key=value" or "--key".
std::string word_key(const std::string& word) { return word.substr(2, word.find('=') - 2); }

// The file's words, but for those of a group (Spec::groups) of which the
// command line gave a key: there the command line wins.
std::vector<std::string> unless_given(std::vector<std::string> words, std::string_view groups,
                                      const po::variables_map& given) {
    std::vector<std::string> taken;  // keys of the groups the command line gave
    for (std::size_t start = 0; start <= groups.size();) {
        std::size_t end = std::min(groups.find('|', start), groups.size());
        std::vector<std::string> group;
        std::istringstream keys{std::string(groups.substr(start, end - start))};
        bool hit = false;
        for (std::string key; keys >> key;) {
            hit = hit || (given.count(key) && !given[key].defaulted());
            group.push_back(key);
        }
        if (hit) taken.insert(taken.end(), group.begin(), group.end());
        start = end + 1;
    }
    std::erase_if(words, [&](const std::string& w) { return std::ranges::count(taken, word_key(w)) > 0; });
    return words;
}

}  // namespace

std::vector<std::string> config_words(std::string_view path, std::string_view section,
                                      const po::options_description& desc, const Spec& spec) {
    const ConfigFile file = read_config_file(std::string(path));
    throw_problems(config_file_problems(file, spec, section, desc));
    auto key_of = [&](const ConfigSetting& s) {
        auto now = s.section == section ? alias_target(spec, s.key) : "";
        return now.empty() ? s.key : now;
    };
    std::set<std::string> own_keys;  // a section's key replaces the top-level one
    for (const auto& s : file.settings)
        if (s.section == section) own_keys.insert(key_of(s));
    std::vector<std::string> words;
    std::vector<const ConfigSetting*> from;  // the setting of each word
    for (const auto& s : file.settings) {
        const std::string key = key_of(s);
        const po::option_description* d = desc.find_nothrow(key, false);
        if (s.section == section && key != s.key)
            std::fprintf(stderr, "%s: warning: %s '%s' is deprecated: use '%s'\n", spec.prog, where(file, s).c_str(),
                         s.key.c_str(), key.c_str());
        if (!d || (s.section != section && (!s.section.empty() || own_keys.count(key)))) continue;
        std::string word = file_word(*d, key, s.value);
        if (word.empty()) continue;
        words.push_back(std::move(word));
        from.push_back(&s);
    }
    if (value_problem(desc, words).empty()) return words;
    // Some value is bad: each told with its setting's line.
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < words.size(); ++i)
        if (auto problem = value_problem(desc, {words[i]}); !problem.empty())
            problems.push_back(where(file, *from[i]) + " " + problem);
    throw_problems(problems.empty() ? std::vector<std::string>{file.path + ": " + value_problem(desc, words)}
                                    : problems);
    return words;
}

std::vector<std::string> command_line_words(int argc, char** argv, const Spec& spec) {
    std::vector<std::string> words(argv + std::min(argc, 1), argv + argc);
    for (auto& w : words) {
        if (!w.starts_with("--")) continue;
        const auto eq = w.find('=');
        const std::string old = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        const std::string now = alias_target(spec, old);
        if (now.empty()) continue;
        std::fprintf(stderr, "%s: warning: --%s is deprecated: use --%s\n", spec.prog, old.c_str(), now.c_str());
        w = "--" + now + (eq == std::string::npos ? "" : w.substr(eq));
    }
    return words;
}

po::variables_map read_options(int argc, char** argv, const Spec& spec, const po::options_description& desc,
                               const po::positional_options_description& positional) {
    po::variables_map vm;
    po::store(po::command_line_parser(command_line_words(argc, argv, spec))
                  .options(with_version(desc))
                  .positional(positional)
                  .run(),
              vm);
    if (vm.count("help") || vm.count("version")) return vm;
    if (auto file = config_file(vm, desc); !file.empty()) {
        std::string section = vm.count("section") ? vm["section"].as<std::string>() : spec.section;
        auto words = unless_given(config_words(file, section, desc, spec), spec.groups, vm);
        po::store(po::command_line_parser(words).options(desc).run(), vm);
    }
    po::notify(vm);
    return vm;
}

po::variables_map parse(int argc, char** argv, const Spec& spec, const po::options_description& desc,
                        const po::positional_options_description& positional) {
    po::variables_map vm;
    try {
        vm = read_options(argc, argv, spec, desc, positional);
        if (vm.count("help")) {
            std::cout << "usage: " << spec.usage << "\n" << with_version(desc) << "\n";
            std::exit(EX_OK);
        }
        if (vm.count("version")) {
            std::cout << spec.prog << " " << kVersion << "\n";
            std::exit(EX_OK);
        }
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: usage error: %s\nusage: %s\n", spec.prog, e.what(), spec.usage);
        std::exit(EX_USAGE);
    } catch (const std::exception& e) {
        print_fatal(spec.prog, e.what());
        std::exit(EX_CONFIG);
    }
    return vm;
}

std::string default_hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return buf;
}

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    for (std::size_t at = 0; at <= text.size();) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        lines.emplace_back(text.substr(at, end - at));
        at = end + 1;
    }
    return lines;
}

void print_fatal(const char* prog, std::string_view what) {
    for (const auto& line : lines_of(what)) std::fprintf(stderr, "%s: fatal: %s\n", prog, line.c_str());
}

std::string program_dir(const char* argv0) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string path = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string(argv0);
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::vector<std::string> read_list_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw SysError("open list file " + path, errno);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        auto b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#') continue;
        auto e = line.find_last_not_of(" \t\r");
        out.push_back(line.substr(b, e - b + 1));
    }
    return out;
}

}  // namespace orou::cli
