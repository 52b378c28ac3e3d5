#include "smtp/data_reader.hpp"

namespace orou::smtp {

DataStatus read_data(io::LineReader& in, const io::Timer& timer, std::size_t max_size, std::string& message) {
    message.clear();
    DataStatus verdict = DataStatus::Ok;
    std::string line;
    bool after_crlf = true;  // the DATA command ended with CRLF
    for (;;) {
        io::LineStatus st = in.next(line, timer.next());
        if (st == io::LineStatus::Timeout) return DataStatus::Timeout;
        if (st == io::LineStatus::Eof) return DataStatus::Eof;
        // Only CRLF "." CRLF ends the message: a dot after a bare LF does not.
        if (st == io::LineStatus::Ok && line == "." && after_crlf) return verdict;
        after_crlf = in.last_ended_crlf();
        if (verdict != DataStatus::Ok) continue;
        if (st == io::LineStatus::TooLong) verdict = DataStatus::TooLong;
        else if (st == io::LineStatus::BareCrOrLf) verdict = DataStatus::BareCrOrLf;
        else if (st == io::LineStatus::Nul) verdict = DataStatus::Nul;
        else if (message.size() + line.size() + 2 > max_size) verdict = DataStatus::TooBig;
        if (verdict != DataStatus::Ok) {
            message.clear();
            message.shrink_to_fit();
            continue;
        }
        std::string_view text = line;
        if (!text.empty() && text[0] == '.') text.remove_prefix(1);
        message.append(text);
        message.append("\r\n");
    }
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
