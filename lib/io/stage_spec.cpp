#include "io/stage_spec.hpp"

#include <sys/un.h>

#include "base/error.hpp"

namespace orou::io {

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

// Reads one word at text[i] (not a blank) into `word`; returns where it ends.
std::size_t read_word(std::string_view text, std::size_t i, std::string& word) {
    char quote = 0;
    for (; i < text.size() && (quote || !blank(text[i])); ++i) {
        const char c = text[i];
        if (quote == '\'' && c != '\'') {
            word += c;
        } else if (c == '\\' && quote != '\'' && i + 1 < text.size()) {
            word += text[++i];
        } else if ((c == '"' || c == '\'') && (!quote || quote == c)) {
            quote = quote ? 0 : c;
        } else {
            word += c;
        }
    }
    if (quote) throw ConfigError(std::string("unclosed ") + quote + " in " + std::string(text));
    return i;
}

StageSpec tcp_spec(StageSpec s, std::string_view host_port) {
    const auto colon = host_port.rfind(':');
    if (colon == std::string_view::npos || colon == 0) throw ConfigError("needs host:port");
    s.host = host_port.substr(0, colon), s.port = host_port.substr(colon + 1);
    if (s.port.empty() || s.port.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError("needs host:port");
    if (s.host.size() > 2 && s.host.front() == '[' && s.host.back() == ']')
        s.host = s.host.substr(1, s.host.size() - 2);
    return s;
}

StageSpec parse(std::string_view spec) {
    StageSpec s;
    s.text = spec;
    if (spec.starts_with("exec:")) {
        s.argv = split_quoted(spec.substr(5));
        if (s.argv.empty()) throw ConfigError("names no program");
        return s;
    }
    if (spec.starts_with("unix:")) {
        s.kind = StageKind::Unix, s.path = spec.substr(5);
        if (s.path.empty() || s.path.size() >= sizeof(sockaddr_un::sun_path))
            throw ConfigError("needs a socket path under " + std::to_string(sizeof(sockaddr_un::sun_path)) + " bytes");
        return s;
    }
    s.kind = StageKind::Tcp;
    if (spec.starts_with("lmtp:")) return tcp_spec(std::move(s), spec.substr(5));
    if (spec.starts_with("tcp:")) return tcp_spec(std::move(s), spec.substr(4));
    throw ConfigError("want exec:, unix:, lmtp: or tcp:");
}

}  // namespace

std::vector<std::string> split_quoted(std::string_view text) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < text.size();) {
        if (blank(text[i])) {
            ++i;
            continue;
        }
        std::string word;
        i = read_word(text, i, word);
        words.push_back(std::move(word));
    }
    return words;
}

StageSpec parse_stage_spec(std::string_view spec) {
    try {
        return parse(spec);
    } catch (const ConfigError& e) {
        throw ConfigError("bad stage \"" + std::string(spec) + "\": " + e.what());
    }
}

std::string quote_word(std::string_view word) {
    if (!word.empty() && word.find_first_of(" \t\"'\\") == std::string_view::npos) return std::string(word);
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string exec_spec(const std::vector<std::string>& argv) {
    std::string out = "exec:";
    for (const auto& w : argv) out += (out.size() > 5 ? " " : "") + quote_word(w);
    return out;
}

}  // namespace orou::io
