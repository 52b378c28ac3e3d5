#include "deliver/message_format.hpp"

namespace orou::deliver {

namespace {

// True for the lines mboxrd quotes: ">*From ".
bool needs_quoting(std::string_view line) {
    std::size_t i = line.find_first_not_of('>');
    return i != std::string_view::npos && line.substr(i).starts_with("From ");
}

// Appends the message line by line (CRLF or LF ends become LF), each line
// quoted first when `quote` and it needs it.
void append_lines(std::string& out, std::string_view message, bool quote) {
    while (!message.empty()) {
        auto lf = message.find('\n');
        std::string_view line = message.substr(0, lf);
        message.remove_prefix(lf == std::string_view::npos ? message.size() : lf + 1);
        if (lf != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
        if (quote && needs_quoting(line)) out += '>';
        out.append(line);
        out += '\n';
    }
}

}  // namespace

std::string from_line(std::string_view sender, std::time_t when) {
    std::string who = sender.empty() ? std::string("MAILER-DAEMON") : std::string(sender);
    for (char& c : who)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) c = '_';
    std::tm tm{};
    gmtime_r(&when, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
    return "From " + who + " " + date + "\n";
}

std::string trace_headers(std::string_view sender, std::string_view rcpt) {
    std::string out = "Return-Path: <";
    out.append(sender);
    out += ">\nDelivered-To: ";
    out.append(rcpt);
    out += '\n';
    return out;
}

std::string maildir_text(std::string_view sender, std::string_view rcpt, std::string_view message) {
    std::string out = trace_headers(sender, rcpt);
    out.reserve(out.size() + message.size() + 1);
    append_lines(out, message, false);
    return out;
}

std::string mbox_entry(std::string_view sender, std::string_view rcpt, std::string_view message, std::time_t when) {
    std::string out = from_line(sender, when) + trace_headers(sender, rcpt);
    out.reserve(out.size() + message.size() + message.size() / 64 + 2);
    append_lines(out, message, true);
    out += '\n';
    return out;
}

}  // namespace orou::deliver
