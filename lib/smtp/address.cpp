#include "smtp/address.hpp"

#include <algorithm>
#include <cctype>

namespace orou::smtp {

namespace {

constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxDomain = 255;

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && upper(s.substr(0, prefix.size())) == prefix;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool atext(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

bool valid_local(std::string_view local) {
    if (local.empty() || local.size() > kMaxLocal) return false;
    if (local.front() == '"') {  // RFC 5321 Quoted-string: '"' and '\\' only escaped
        if (local.size() < 2 || local.back() != '"') return false;
        std::string_view inner = local.substr(1, local.size() - 2);
        for (std::size_t i = 0; i < inner.size(); ++i) {
            if (inner[i] == '"') return false;
            if (inner[i] == '\\' && ++i == inner.size()) return false;
            if (static_cast<unsigned char>(inner[i]) < 0x20 || inner[i] == 0x7f) return false;
        }
        return true;
    }
    return std::all_of(local.begin(), local.end(), [](char c) {
        return atext(c) || static_cast<unsigned char>(c) >= 0x80;  // SMTPUTF8-ish, kept as is
    });
}

// Splits at the '@' that is not inside a quoted local part.
std::optional<Address> split_address(std::string_view text) {
    std::size_t at = std::string_view::npos;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && quoted) ++i;
        else if (text[i] == '"') quoted = !quoted;
        else if (text[i] == '@' && !quoted) at = i;
    }
    if (at == std::string_view::npos || quoted) return std::nullopt;
    auto domain = normalize_domain(text.substr(at + 1));
    std::string_view local = text.substr(0, at);
    if (!domain || !valid_local(local)) return std::nullopt;
    return Address{std::string(local), *domain};
}

// The address text and what follows it (the parameters).
std::optional<std::pair<std::string_view, std::string_view>> take_address(std::string_view s) {
    if (s.empty()) return std::nullopt;
    if (s.front() != '<') {
        auto sp = s.find(' ');
        return std::pair{s.substr(0, sp), sp == std::string_view::npos ? "" : s.substr(sp + 1)};
    }
    bool quoted = false;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '\\' && quoted) ++i;
        else if (s[i] == '"') quoted = !quoted;
        else if (s[i] == '>' && !quoted) return std::pair{s.substr(1, i - 1), s.substr(i + 1)};
    }
    return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_params(std::string_view s) {
    std::vector<std::pair<std::string, std::string>> out;
    s = trim(s);
    while (!s.empty()) {
        auto sp = s.find(' ');
        std::string_view word = s.substr(0, sp);
        s = sp == std::string_view::npos ? "" : trim(s.substr(sp + 1));
        auto eq = word.find('=');
        std::string key = upper(word.substr(0, eq));
        if (key.empty() || !std::all_of(key.begin(), key.end(),
                                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }))
            return std::nullopt;
        out.emplace_back(key, eq == std::string_view::npos ? "" : std::string(word.substr(eq + 1)));
    }
    return out;
}

}  // namespace

std::optional<std::string> normalize_domain(std::string_view d) {
    if (!d.empty() && d.back() == '.') d.remove_suffix(1);
    if (d.empty() || d.size() > kMaxDomain) return std::nullopt;
    if (d.front() == '[') {
        if (d.back() != ']' || d.size() < 3) return std::nullopt;
        for (char c : d.substr(1, d.size() - 2))
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != ':' && c != '-') return std::nullopt;
        return upper(d);
    }
    std::string out;
    std::size_t label = 0;
    for (char c : d) {
        if (c == '.') {
            if (label == 0 || out.back() == '-') return std::nullopt;
            label = 0;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
            if ((label == 0 && c == '-') || ++label > 63) return std::nullopt;
        } else {
            return std::nullopt;
        }
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (label == 0 || out.back() == '-') return std::nullopt;  // "a.b..": an empty last label
    return out;
}

ParsedPath parse_path(std::string_view arg, std::string_view keyword, bool allow_null) {
    arg = trim(arg);
    std::string kw = std::string(keyword) + ":";
    if (!iequals_prefix(arg, kw)) return {std::nullopt, PathError::Syntax};
    auto taken = take_address(trim(arg.substr(kw.size())));
    if (!taken) return {std::nullopt, PathError::Syntax};
    auto [text, rest] = *taken;
    if (!text.empty() && text.front() == '@') {  // source route: keep the mailbox
        auto colon = text.find(':');
        if (colon == std::string_view::npos) return {std::nullopt, PathError::BadAddress};
        text = text.substr(colon + 1);
    }
    auto params = parse_params(rest);
    if (!params) return {std::nullopt, PathError::BadParam};
    if (text.empty()) {
        if (!allow_null) return {std::nullopt, PathError::BadAddress};
        return {Path{Address{}, *params}, PathError::None};
    }
    auto address = split_address(text);
    if (!address) return {std::nullopt, PathError::BadAddress};
    return {Path{*address, *params}, PathError::None};
}

std::pair<std::string, std::string_view> split_command(std::string_view line) {
    auto sp = line.find(' ');
    std::string verb = upper(line.substr(0, sp));
    std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    return {verb, rest};
}

}  // namespace orou::smtp
