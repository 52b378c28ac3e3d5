// SMTP/LMTP replies: one type, one table of our own replies, and the reader
// of a peer's (possibly multi-line) reply.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/line_reader.hpp"

namespace orou::smtp {

struct Reply {
    int code = 0;
    std::string status;  // enhanced status code, "" when none
    std::string text;    // may hold several lines, separated by '\n'

    bool ok() const { return code / 100 == 2; }
    bool temporary() const { return code / 100 == 4; }
    bool permanent() const { return code / 100 == 5; }
    // The reply on the wire: "250-..." continuation lines, CRLF after each.
    std::string wire() const;
    // "250 2.0.0 text" on one line (for logs).
    std::string summary() const;
    // An upstream reply passed on unreworded (its code, status and text),
    // but for the control bytes in its text: a tab becomes a space, any
    // other (a bare CR, ESC, DEL) '?', so a peer's reply cannot break or
    // forge a line of ours.  '\n' stays: it separates the lines.
    static Reply from_upstream(const Reply& r);
};

// Reads one reply from a peer; nullopt when the peer sent something that is
// not a reply, closed, or timed out (the caller decides what that means).
std::optional<Reply> read_reply(io::LineReader& in, io::Deadline deadline);

// Parses "250-text" / "250 text" lines into one Reply (the enhanced status
// is taken from the first line when present).
std::optional<Reply> parse_reply(const std::vector<std::string>& lines);

}  // namespace orou::smtp
