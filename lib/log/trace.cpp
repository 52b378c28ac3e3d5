#include "log/trace.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace orou::log {

namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;  // how far to look for the header
constexpr std::size_t kMaxIdLength = 64;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// The unfolded value of the first Received header of the header section.
std::string first_received(std::string_view message) {
    message = message.substr(0, kMaxHeaderBytes);
    std::string value;
    bool inside = false;
    for (std::size_t pos = 0; pos < message.size();) {
        std::size_t end = message.find('\n', pos);
        if (end == std::string_view::npos) end = message.size();
        std::string_view line = message.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = end + 1;
        if (line.empty()) break;  // the end of the header section
        bool folded = line[0] == ' ' || line[0] == '\t';
        if (inside && !folded) break;
        if (inside) value += " " + std::string(line);
        if (!inside && line.size() >= 9 && iequals(line.substr(0, 9), "Received:")) {
            inside = true;
            value = std::string(line.substr(9));
        }
    }
    return value;
}

// The words of a header value, comments (nested parentheses) left out.
std::vector<std::string> words(std::string_view value) {
    std::vector<std::string> out;
    std::string word;
    int depth = 0;
    for (char c : value) {
        bool blank = c == ' ' || c == '\t';
        if (c == '(') ++depth;
        if (depth == 0 && !blank && c != ')') word += c;
        if (c == ')' && depth > 0) --depth;
        if ((blank || depth > 0) && !word.empty()) out.push_back(std::move(word)), word.clear();
    }
    if (!word.empty()) out.push_back(word);
    return out;
}

bool plain_token(std::string_view s) {
    return !s.empty() && s.size() <= kMaxIdLength && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
}

}  // namespace

std::string received_id(std::string_view message) {
    auto w = words(first_received(message));
    // Clauses come as keyword-value pairs (from, by, via, with, id, for)
    // until the ';' before the date.
    for (std::size_t i = 0; i + 1 < w.size(); i += 2) {
        if (w[i].find(';') != std::string::npos) break;
        std::string value = w[i + 1];
        bool last = !value.empty() && value.back() == ';';
        if (last) value.pop_back();
        if (iequals(w[i], "id")) return plain_token(value) ? value : "";
        if (last) break;
    }
    return "";
}

}  // namespace orou::log
