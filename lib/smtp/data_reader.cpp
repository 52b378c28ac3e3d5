#include "smtp/data_reader.hpp"

#include <cctype>

namespace orou::smtp {

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

// "Name:" at the start of a line: printable characters but ':' (RFC 5322
// 2.2), blanks before the colon allowed (its obsolete syntax, 4.5).
bool is_field_start(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] > 32 && line[i] < 127 && line[i] != ':') ++i;
    const std::size_t name = i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return name > 0 && i < line.size() && line[i] == ':';
}

bool is_received(std::string_view line) {
    if (!starts_with_nocase(line, "received")) return false;
    const auto i = line.find_first_not_of(" \t", 8);
    return i != std::string_view::npos && line[i] == ':';
}

// Watches the header section: where it ends (a blank line, or the first
// line that is neither a field nor its continuation, as Postfix's cleanup
// sees it), its size, and its Received: fields.
class HeaderWatch {
public:
    explicit HeaderWatch(const DataLimits& limits) : limits_(limits) {}

    DataStatus see(std::string_view line) {
        if (!in_header_) return DataStatus::Ok;
        const bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (line.empty() || (!continuation && !is_field_start(line))) {
            in_header_ = false;
            return DataStatus::Ok;
        }
        bytes_ += line.size() + 2;
        if (bytes_ > limits_.max_header) return DataStatus::HeaderTooBig;
        if (!continuation && is_received(line) && ++hops_ > limits_.max_hops) return DataStatus::TooManyHops;
        return DataStatus::Ok;
    }

private:
    const DataLimits& limits_;
    bool in_header_ = true;
    std::size_t bytes_ = 0;
    int hops_ = 0;
};

DataStatus line_verdict(io::LineStatus st) {
    switch (st) {
    case io::LineStatus::TooLong: return DataStatus::TooLong;
    case io::LineStatus::BareCrOrLf: return DataStatus::BareCrOrLf;
    case io::LineStatus::Nul: return DataStatus::Nul;
    default: return DataStatus::Ok;
    }
}

}  // namespace

DataStatus read_data(io::LineReader& in, const io::Timer& timer, const DataLimits& limits, DataSink& sink) {
    DataStatus verdict = DataStatus::Ok;
    HeaderWatch header(limits);
    std::size_t size = 0;
    std::string line;
    bool after_crlf = true;  // the DATA command ended with CRLF
    for (;;) {
        const io::LineStatus st = in.next(line, timer.next());
        if (st == io::LineStatus::Timeout || st == io::LineStatus::Eof) {
            if (verdict == DataStatus::Ok) sink.abandon();
            return st == io::LineStatus::Timeout ? DataStatus::Timeout : DataStatus::Eof;
        }
        // Only CRLF "." CRLF ends the message: a dot after a bare LF does not.
        if (st == io::LineStatus::Ok && line == "." && after_crlf) return verdict;
        after_crlf = in.last_ended_crlf();
        if (verdict != DataStatus::Ok) continue;
        std::string_view text = line;
        if (!text.empty() && text[0] == '.') text.remove_prefix(1);
        size += text.size() + 2;
        verdict = line_verdict(st);
        if (verdict == DataStatus::Ok && size > limits.max_size) verdict = DataStatus::TooBig;
        if (verdict == DataStatus::Ok) verdict = header.see(text);
        if (verdict == DataStatus::Ok) sink.line(text);
        else sink.abandon();
    }
}

DataStatus read_data(io::LineReader& in, const io::Timer& timer, std::size_t max_size, std::string& message) {
    StringSink sink;
    DataLimits limits;
    limits.max_size = max_size;
    limits.max_header = max_size;
    const DataStatus st = read_data(in, timer, limits, sink);
    message = st == DataStatus::Ok ? std::move(sink.text) : std::string();
    return st;
}

std::string dot_stuff(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 64 + 8);
    bool at_line_start = true;
    for (char c : message) {
        if (at_line_start && c == '.') out += '.';
        out += c;
        at_line_start = c == '\n';
    }
    if (!out.empty() && out.back() != '\n') out += "\r\n";
    out += ".\r\n";
    return out;
}

}  // namespace orou::smtp
