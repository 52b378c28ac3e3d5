#include "deliver/message_format.hpp"

namespace orou::deliver {

namespace {

constexpr std::size_t kWriteBuffer = 64 * 1024;

// True for the lines mboxrd quotes: ">*From ".
bool needs_quoting(std::string_view line) {
    std::size_t i = line.find_first_not_of('>');
    return i != std::string_view::npos && line.substr(i).starts_with("From ");
}

// The message's lines with LF ends, each quoted first when `quote` and it
// needs it.
void message_lines(const smtp::MessageSource& message, bool quote, const std::function<void(std::string_view)>& out) {
    message.lines([&](std::string_view line) {
        if (quote && needs_quoting(line)) out(">");
        out(line);
        out("\n");
    });
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

std::size_t Entry::size() const {
    std::size_t n = 0;
    pieces([&](std::string_view piece) { n += piece.size(); });
    return n;
}

void Entry::write(Writer& writer, int fd) const {
    std::string buf;
    buf.reserve(kWriteBuffer);
    pieces([&](std::string_view piece) {
        buf.append(piece);
        if (buf.size() < kWriteBuffer) return;
        writer.write(fd, buf);
        buf.clear();
    });
    if (!buf.empty()) writer.write(fd, buf);
}

std::string Entry::str() const {
    std::string out;
    pieces([&](std::string_view piece) { out.append(piece); });
    return out;
}

void MaildirText::pieces(const std::function<void(std::string_view)>& out) const {
    out(head_);
    message_lines(message_, false, out);
}

void MboxEntry::pieces(const std::function<void(std::string_view)>& out) const {
    out(head_);
    message_lines(message_, true, out);
    out("\n");
}

std::string maildir_text(std::string_view sender, std::string_view rcpt, std::string_view message) {
    return MaildirText(sender, rcpt, smtp::StringMessage(message)).str();
}

std::string mbox_entry(std::string_view sender, std::string_view rcpt, std::string_view message, std::time_t when) {
    return MboxEntry(sender, rcpt, smtp::StringMessage(message), when).str();
}

}  // namespace orou::deliver
