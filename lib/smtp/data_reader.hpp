// The DATA phase: lines until a lone ".", dot-stuffing undone.  Only
// CRLF "." CRLF ends a message; a bare CR or LF anywhere marks the message
// bad (SMTP smuggling) but never ends it early.
#pragma once

#include <cstddef>
#include <string>

#include "io/line_reader.hpp"

namespace orou::smtp {

enum class DataStatus {
    Ok,          // message complete; CRLF line ends
    TooBig,      // over max_size; read to its end and dropped
    BareCrOrLf,  // read to its end and dropped
    TooLong,     // a line over the reader's max_line; read to its end and dropped
    Nul,         // a NUL byte; read to its end and dropped
    Timeout,     // the client stopped talking: the session ends
    Eof,         // the client went away: the session ends
};

// Reads one message into `message` (CRLF line ends, unstuffed).  The
// message is never longer than max_size; a bad message is read to its end
// so the session can go on in step.
DataStatus read_data(io::LineReader& in, const io::Timer& timer, std::size_t max_size, std::string& message);

// Adds dot-stuffing for sending a message (CRLF line ends) with ".\r\n".
std::string dot_stuff(std::string_view message);

}  // namespace orou::smtp
