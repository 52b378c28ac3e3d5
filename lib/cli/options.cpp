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

namespace orou::cli {

namespace {

bool is_false(std::string_view v) { return v == "no" || v == "false" || v == "0" || v == "off"; }

// Adds one key of the file; a key of this program's own section must be
// known to it, a top-level key is for whichever programs know it.
void add_word(std::vector<std::string>& words, const po::options_description& desc, const std::string& key,
              const std::string& value, bool own_section) {
    const po::option_description* d = desc.find_nothrow(key, false);
    if (!d && !own_section) return;
    if (!d) throw ConfigError("unknown configuration key: " + key);
    if (d->semantic()->max_tokens() == 0) {
        if (!is_false(value)) words.push_back("--" + key);
        return;
    }
    words.push_back("--" + key + "=" + value);
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
                                      const po::options_description& desc) {
    std::string p(path);
    std::ifstream in(p);
    if (!in) throw SysError("open configuration file " + p, errno);
    po::options_description none;
    po::parsed_options parsed = po::parse_config_file(in, none, true);
    std::string prefix = std::string(section) + ".";
    std::set<std::string> own_keys;  // a section's key replaces the top-level one
    for (const auto& o : parsed.options)
        if (o.string_key.rfind(prefix, 0) == 0) own_keys.insert(o.string_key.substr(prefix.size()));
    std::vector<std::string> words;
    for (const auto& o : parsed.options) {
        std::string key = o.string_key;
        bool own = key.rfind(prefix, 0) == 0;
        if (own) {
            key = key.substr(prefix.size());
        } else if (key.find('.') != std::string::npos || own_keys.count(key)) {
            continue;  // another program's section, or overridden by ours
        }
        for (const auto& v : o.value) add_word(words, desc, key, v, own);
    }
    return words;
}

po::variables_map read_options(int argc, char** argv, const Spec& spec, const po::options_description& desc,
                               const po::positional_options_description& positional) {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(with_version(desc)).positional(positional).run(), vm);
    if (vm.count("help") || vm.count("version")) return vm;
    if (auto file = config_file(vm, desc); !file.empty()) {
        std::string section = vm.count("section") ? vm["section"].as<std::string>() : spec.section;
        auto words = unless_given(config_words(file, section, desc), spec.groups, vm);
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
        std::fprintf(stderr, "%s: fatal: %s\n", spec.prog, e.what());
        std::exit(EX_CONFIG);
    }
    return vm;
}

std::string default_hostname() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return buf;
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
