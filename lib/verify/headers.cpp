#include "verify/headers.hpp"

#include <cctype>

namespace orou::verify {

void for_each_field(const smtp::MessageSource& message, const std::function<void(std::string_view)>& field,
                    const std::function<void(std::string_view)>& body) {
    bool in_header = true;
    std::string current;
    message.lines([&](std::string_view line) {
        if (!in_header) {
            if (body) body(line);
            return;
        }
        const bool continued = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (continued && !current.empty()) {
            current.append("\r\n").append(line);
            return;
        }
        if (!current.empty()) field(current);
        current.assign(line);
        if (!line.empty()) return;
        in_header = false;
        field("");
    });
    if (!in_header) return;
    if (!current.empty()) field(current);
    field("");
}

bool equal_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool field_named(std::string_view field, std::string_view name) {
    const auto colon = field.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view n = field.substr(0, colon);
    while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.remove_suffix(1);
    return equal_nocase(n, name);
}

namespace {

// The value without comments, each quoted string as "q".
std::string without_comments(std::string_view v) {
    std::string out;
    int depth = 0;
    bool in_quotes = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        if (c == '\\' && i + 1 < v.size()) {
            if (depth == 0 && !in_quotes) out.append(v.substr(i, 2));
            ++i;
        } else if (!in_quotes && c == '(') ++depth;
        else if (!in_quotes && depth > 0 && c == ')') --depth;
        else if (depth == 0 && c == '"') {
            in_quotes = !in_quotes;
            if (in_quotes) out += 'q';
        } else if (depth == 0 && !in_quotes) out += c;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string from_domain(std::string_view field) {
    const std::string value = without_comments(field.substr(field.find(':') + 1));
    std::string_view addr = value;
    const auto at_all = addr.find('@');
    if (at_all == std::string_view::npos || addr.find('@', at_all + 1) != std::string_view::npos) return "";
    if (const auto lt = addr.rfind('<'); lt != std::string_view::npos) {
        addr = addr.substr(lt + 1);
        addr = addr.substr(0, addr.find('>'));
    }
    const auto at = addr.rfind('@');
    if (at == std::string_view::npos) return "";
    std::string domain(trim(addr.substr(at + 1)));
    for (char& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (domain.empty() || domain.find_first_of(" \t\r\n,;<>\"") != std::string::npos) return "";
    return domain;
}

}  // namespace orou::verify
