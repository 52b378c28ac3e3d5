// What a delivered message looks like on disk: LF line ends, a
// Return-Path and a Delivered-To header on top (RFC 5321 4.4), and for an
// mbox the From_ line, mboxrd quoting and a blank line after (RFC 4155).
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace orou::deliver {

// "From sender Thu Nov 24 12:00:00 2026\n" (UTC, asctime form);
// MAILER-DAEMON for the null sender, blanks in the sender become '_'.
std::string from_line(std::string_view sender, std::time_t when);

// "Return-Path: <sender>\nDelivered-To: rcpt\n".
std::string trace_headers(std::string_view sender, std::string_view rcpt);

// The message (CRLF or LF line ends) with LF line ends and the trace
// headers on top; the last line always ends with LF.  For a Maildir file.
std::string maildir_text(std::string_view sender, std::string_view rcpt, std::string_view message);

// One mbox entry: From_ line, trace headers, the message with LF line ends
// and every line matching ^>*From  quoted with one more '>', a blank line.
std::string mbox_entry(std::string_view sender, std::string_view rcpt, std::string_view message, std::time_t when);

}  // namespace orou::deliver
