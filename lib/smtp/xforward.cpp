#include "smtp/xforward.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace orou::smtp {

namespace {

constexpr std::size_t kMaxArgs = 400;  // "XFORWARD " and CRLF stay well under 512

using Field = std::pair<std::string_view, std::string ClientFacts::*>;
constexpr std::array<Field, 5> kFields{{{"NAME", &ClientFacts::name},
                                        {"ADDR", &ClientFacts::addr},
                                        {"PROTO", &ClientFacts::proto},
                                        {"HELO", &ClientFacts::helo},
                                        {"IDENT", &ClientFacts::ident}}};

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// One "ATTR=value" into `facts`; false when malformed or unknown.
bool take_one(std::string_view pair, ClientFacts& facts) {
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    auto value = xtext_decode(pair.substr(eq + 1));
    if (!value) return false;
    if (*value == "[UNAVAILABLE]" || *value == "[TEMPUNAVAIL]") value->clear();
    const std::string key = upper(pair.substr(0, eq));
    for (const auto& [name, member] : kFields) {
        if (key != name) continue;
        facts.*member = std::move(*value);
        return true;
    }
    return false;
}

}  // namespace

std::string xtext_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 33 && c <= 126 && c != '+' && c != '=') {
            out += ch;
            continue;
        }
        out += '+';
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

std::optional<std::string> xtext_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 33 || c > 126 || c == '=') return std::nullopt;
        if (c != '+') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int hi = hex_digit(text[i + 1]), lo = hex_digit(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::vector<std::string> xforward_args(const ClientFacts& facts) {
    std::vector<std::string> out;
    std::string args;
    for (const auto& [name, member] : kFields) {
        const std::string& value = facts.*member;
        if (value.empty()) continue;
        std::string pair = std::string(name) + "=" + xtext_encode(value.substr(0, 255));
        if (!args.empty() && args.size() + 1 + pair.size() > kMaxArgs) out.push_back(std::exchange(args, ""));
        args += (args.empty() ? "" : " ") + pair;
    }
    if (!args.empty()) out.push_back(args);
    return out;
}

bool take_xforward(std::string_view args, ClientFacts& facts) {
    ClientFacts taken = facts;
    bool any = false;
    while (!args.empty()) {
        const auto space = args.find(' ');
        const std::string_view pair = args.substr(0, space);
        if (!pair.empty()) {
            if (!take_one(pair, taken)) return false;
            any = true;
        }
        args = space == std::string_view::npos ? std::string_view{} : args.substr(space + 1);
    }
    if (any) facts = std::move(taken);
    return any;
}

}  // namespace orou::smtp
