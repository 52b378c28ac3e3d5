#include "smtp/reply.hpp"

#include <cctype>

namespace orou::smtp {

namespace {

bool is_enhanced(std::string_view s) {
    // class.subject.detail: [245].\d{1,3}.\d{1,3}
    if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
    int dots = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
        if (s[i] == '.') {
            if (++dots > 1 || s[i - 1] == '.') return false;
        } else if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return dots == 1 && s.back() != '.';
}

bool valid_code(std::string_view line) {
    return line.size() >= 3 && line[0] >= '2' && line[0] <= '5' && std::isdigit(static_cast<unsigned char>(line[1])) &&
           std::isdigit(static_cast<unsigned char>(line[2])) && (line.size() == 3 || line[3] == ' ' || line[3] == '-');
}

}  // namespace

std::string Reply::wire() const {
    std::string out;
    std::string_view rest = text;
    std::string code_s = std::to_string(code);
    for (;;) {
        auto nl = rest.find('\n');
        std::string_view part = rest.substr(0, nl);
        out += code_s + (nl == std::string_view::npos ? " " : "-");
        if (!status.empty()) out += status + " ";
        out += part;
        out += "\r\n";
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
    return out;
}

std::string Reply::summary() const {
    std::string s = std::to_string(code);
    if (!status.empty()) s += " " + status;
    std::string_view first = std::string_view(text).substr(0, text.find('\n'));
    if (!first.empty()) s += " " + std::string(first);
    return s;
}

Reply Reply::from_upstream(const Reply& r) {
    Reply clean = r;
    for (char& c : clean.text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\t') c = ' ';
        else if ((u < 0x20 && c != '\n') || u == 0x7f) c = '?';
    }
    return clean;
}

std::optional<Reply> parse_reply(const std::vector<std::string>& lines) {
    if (lines.empty()) return std::nullopt;
    Reply r;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (!valid_code(line)) return std::nullopt;
        int code = std::stoi(std::string(line.substr(0, 3)));
        if (i == 0) r.code = code;
        if (code != r.code) return std::nullopt;
        std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
        auto sp = text.find(' ');
        std::string_view first = text.substr(0, sp);
        if (is_enhanced(first) && first[0] == line[0]) {
            if (i == 0) r.status = std::string(first);
            text = sp == std::string_view::npos ? std::string_view{} : text.substr(sp + 1);
        }
        if (i > 0) r.text += '\n';
        r.text += text;
    }
    return r;
}

std::optional<Reply> read_reply(io::LineReader& in, io::Deadline deadline) {
    std::vector<std::string> lines;
    for (int i = 0; i < 100; ++i) {
        std::string line;
        io::LineStatus st = in.next(line, deadline);
        if (st != io::LineStatus::Ok && st != io::LineStatus::BareCrOrLf) return std::nullopt;
        if (!valid_code(line)) return std::nullopt;
        bool last = line.size() == 3 || line[3] == ' ';
        lines.push_back(std::move(line));
        if (last) return parse_reply(lines);
    }
    return std::nullopt;
}

}  // namespace orou::smtp
