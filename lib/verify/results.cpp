#include "verify/results.hpp"

#include <cctype>

#include "verify/headers.hpp"

namespace orou::verify {

namespace {

constexpr std::string_view kFieldName = "Authentication-Results";

bool token_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) return false;
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!token_char(c)) return false;
    return true;
}

// Skips folding white space and comments (nested, with quoted-pairs).
std::size_t skip_cfws(std::string_view s, std::size_t i) {
    int depth = 0;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (depth > 0 && c == '\\') ++i;
        else if (c == '(') ++depth;
        else if (depth > 0 && c == ')') --depth;
        else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
    }
    return i;
}

// A quoted-string from s[i] == '"', its content unquoted; i moves past it.
std::string quoted(std::string_view s, std::size_t& i) {
    std::string out;
    for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out += s[i];
    }
    ++i;
    return out;
}

std::string dkim_line(const DkimVerdict& d) {
    std::string line = "dkim=" + d.result;
    if (!d.reason.empty()) line += " reason=" + pvalue(d.reason);
    return line + " header.d=" + pvalue(d.domain) + " header.s=" + pvalue(d.selector) + " header.b=" + pvalue(d.b);
}

std::string dmarc_line(const DmarcVerdict& d) {
    std::string line = "dmarc=" + d.result;
    if (!d.policy.empty()) {
        line += " (p=" + d.policy + " dis=" + d.disposition;
        line += std::string(" spf-aligned=") + (d.spf_aligned ? "yes" : "no");
        line += std::string(" dkim-aligned=") + (d.dkim_aligned ? "yes" : "no") + ")";
    }
    if (!d.from_domain.empty()) line += " header.from=" + pvalue(d.from_domain);
    return line;
}

}  // namespace

std::string pvalue(std::string_view value) {
    const auto at = value.rfind('@');
    const bool plain = at == std::string_view::npos
                           ? is_token(value)
                           : (at == 0 || is_token(value.substr(0, at))) && is_token(value.substr(at + 1));
    if (plain) return std::string(value);
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) >= 32 && c != 127) out += c;
    }
    return out + "\"";
}

std::vector<std::string> format_header(std::string_view authserv_id, const Verdicts& verdicts) {
    std::vector<std::string> results;
    for (const auto& s : verdicts.spf)
        results.push_back("spf=" + s.result + " smtp." + s.property + "=" + pvalue(s.identity));
    for (const auto& d : verdicts.dkim) results.push_back(dkim_line(d));
    if (verdicts.dkim.empty()) results.emplace_back("dkim=none");
    results.push_back(dmarc_line(verdicts.dmarc));
    std::vector<std::string> lines{std::string(kFieldName) + ": " + pvalue(authserv_id) + ";"};
    for (std::size_t i = 0; i < results.size(); ++i)
        lines.push_back("\t" + results[i] + (i + 1 < results.size() ? ";" : ""));
    return lines;
}

bool is_auth_results_name(std::string_view name) {
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    return equal_nocase(name, kFieldName);
}

bool claims_authserv_id(std::string_view field, std::string_view authserv_id) {
    if (!field_named(field, kFieldName)) return false;
    std::size_t i = skip_cfws(field, field.find(':') + 1);
    if (i < field.size() && field[i] == '"') return equal_nocase(quoted(field, i), authserv_id);
    const std::size_t start = i;
    while (i < field.size() && token_char(field[i])) ++i;
    return equal_nocase(field.substr(start, i - start), authserv_id);
}

}  // namespace orou::verify
