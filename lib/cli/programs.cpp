#include "cli/programs.hpp"

#include <algorithm>

#include "auth/options.hpp"
#include "cli/orouboros_options.hpp"
#include "cli/smtpd_options.hpp"
#include "deliver/mbox_deliver.hpp"
#include "dkim/program.hpp"
#include "forward/program.hpp"
#include "verify/program.hpp"

namespace orou::cli {

namespace {

template <po::options_description (*Options)()>
std::vector<std::string> keys() {
    return option_names(Options());
}

// One row a program.
constexpr Program kPrograms[] = {
    {&kListenerSpec, listener_keys},
    {&kSmtpdSpec, smtpd_keys},
    {&auth::kAuthcheckSpec, keys<auth::authcheck_options>},
    {&auth::kMkcredsSpec, keys<auth::mkcreds_options>},
    {&deliver::kSpec, keys<deliver::options>},
    {&forward::kSpec, keys<forward::options>, "relay"},
    {&dkim::kSpec, keys<dkim::options>},
    {&verify::kSpec, keys<verify::options>},
};

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t at = text.find_first_not_of(' '); at != std::string_view::npos;) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        out.emplace_back(text.substr(at, end - at));
        at = text.find_first_not_of(' ', end);
    }
    return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::ranges::count(v, s) > 0; }

}  // namespace

std::string alias_target(const Spec& spec, std::string_view key) {
    for (const auto& alias : words(spec.aliases))
        if (alias.substr(0, alias.find('=')) == key) return alias.substr(alias.find('=') + 1);
    return "";
}

namespace {

// The programs that take `key` as a deprecated name, and what each calls it now.
std::string alias_meanings(std::string_view key) {
    std::string out;
    for (const auto& p : programs())
        if (auto now = alias_target(*p.spec, key); !now.empty())
            out += (out.empty() ? "" : ", ") + now + " in [" + p.spec->section + "]";
    return out;
}

// Each program's keys, its deprecated names among them.
struct Known {
    std::vector<std::vector<std::string>> keys;  // by program, in programs()'s order

    Known() {
        for (const auto& p : programs()) {
            keys.push_back(p.keys());
            for (const auto& alias : words(p.spec->aliases)) keys.back().push_back(alias.substr(0, alias.find('=')));
        }
    }
    // The keys of the program that reads `section`; nullptr for none.
    const std::vector<std::string>* of(std::string_view section) const {
        for (std::size_t i = 0; i < programs().size(); ++i)
            if (programs()[i].spec->section == section || contains(words(programs()[i].other_sections), section))
                return &keys[i];
        return nullptr;
    }
    bool anywhere(const std::string& key) const {
        return std::ranges::any_of(keys, [&](const auto& k) { return contains(k, key); });
    }
};

// What is wrong with a top-level key ("" for nothing).
std::string top_level_problem(const Known& known, const std::string& key) {
    if (auto meanings = alias_meanings(key); !meanings.empty())
        return "deprecated key '" + key + "' means different things to different programs: give " + meanings;
    return known.anywhere(key) ? "" : "unknown key '" + key + "'";
}

}  // namespace

std::span<const Program> programs() { return kPrograms; }

std::vector<std::string> option_names(const po::options_description& desc) {
    std::vector<std::string> names;
    for (const auto& o : desc.options()) names.push_back(o->long_name());
    return names;
}

std::vector<std::string> config_file_problems(const ConfigFile& file, const Spec& own, std::string_view own_section,
                                              const po::options_description& own_options) {
    if (file.settings.empty() && file.sections.empty()) return {};  // e.g. --config /dev/null, as stages get it
    const Known known;
    auto own_keys = option_names(own_options);
    for (const auto& alias : words(own.aliases)) own_keys.push_back(alias.substr(0, alias.find('=')));
    std::vector<std::pair<int, std::string>> problems;
    for (const auto& s : file.sections)
        if (s.name != own_section && !known.of(s.name))
            problems.emplace_back(s.line,
                                  file.path + ":" + std::to_string(s.line) + ": unknown section [" + s.name + "]");
    for (const auto& s : file.settings) {
        const auto* keys = s.section == own_section ? &own_keys : known.of(s.section);
        std::string problem = s.section.empty()                 ? top_level_problem(known, s.key)
                              : keys && !contains(*keys, s.key) ? "unknown key '" + s.key + "'"
                                                                : "";
        if (!problem.empty()) problems.emplace_back(s.line, where(file, s) + " " + problem);
    }
    std::ranges::stable_sort(problems, {}, [](const auto& p) { return p.first; });
    std::vector<std::string> out;
    for (auto& p : problems) out.push_back(std::move(p.second));
    return out;
}

}  // namespace orou::cli
