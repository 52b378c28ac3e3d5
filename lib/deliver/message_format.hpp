// What a delivered message looks like on disk: LF line ends, a
// Return-Path and a Delivered-To header on top (RFC 5321 4.4), and for an
// mbox the From_ line, mboxrd quoting and a blank line after (RFC 4155).
// An entry is made piece by piece from the message source, so that no more
// than a buffer of the message is ever in memory.
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <string_view>

#include "deliver/files.hpp"
#include "smtp/message.hpp"

namespace orou::deliver {

// "From sender Thu Nov 24 12:00:00 2026\n" (UTC, asctime form);
// MAILER-DAEMON for the null sender, blanks in the sender become '_'.
std::string from_line(std::string_view sender, std::time_t when);

// "Return-Path: <sender>\nDelivered-To: rcpt\n".
std::string trace_headers(std::string_view sender, std::string_view rcpt);

// What one delivery writes.  Borrows the message.
class Entry {
public:
    virtual ~Entry() = default;
    // Calls `out` with the entry's bytes, in order, piece by piece.
    virtual void pieces(const std::function<void(std::string_view)>& out) const = 0;
    // How many bytes pieces() gives (a pass over the message).
    std::size_t size() const;
    // Writes it all to fd through `writer`, a buffer at a time.
    void write(Writer& writer, int fd) const;
    // All of it in a string (tests).
    std::string str() const;
};

// Bytes already laid out as an entry (tests).
class RawEntry final : public Entry {
public:
    explicit RawEntry(std::string_view text) : text_(text) {}
    void pieces(const std::function<void(std::string_view)>& out) const override { out(text_); }

private:
    std::string_view text_;
};

// A Maildir file: the trace headers on top, LF line ends, the last line
// ending with LF.
class MaildirText final : public Entry {
public:
    MaildirText(std::string_view sender, std::string_view rcpt, const smtp::MessageSource& message)
        : head_(trace_headers(sender, rcpt)), message_(message) {}
    void pieces(const std::function<void(std::string_view)>& out) const override;

private:
    std::string head_;
    const smtp::MessageSource& message_;
};

// One mbox entry: From_ line, trace headers, the message with LF line ends
// and every line matching ^>*From  quoted with one more '>', a blank line.
class MboxEntry final : public Entry {
public:
    MboxEntry(std::string_view sender, std::string_view rcpt, const smtp::MessageSource& message, std::time_t when)
        : head_(from_line(sender, when) + trace_headers(sender, rcpt)), message_(message) {}
    void pieces(const std::function<void(std::string_view)>& out) const override;

private:
    std::string head_;
    const smtp::MessageSource& message_;
};

// The same for a message in a string (CRLF or LF line ends).
std::string maildir_text(std::string_view sender, std::string_view rcpt, std::string_view message);
std::string mbox_entry(std::string_view sender, std::string_view rcpt, std::string_view message, std::time_t when);

}  // namespace orou::deliver
