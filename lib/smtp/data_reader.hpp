// The DATA phase, one path for orouboros-smtpd and the LMTP stages: lines
// until a lone ".", dot-stuffing undone, each handed to a sink as it is
// read.  Only CRLF "." CRLF ends a message; a bare CR or LF anywhere marks
// the message bad (SMTP smuggling) but never ends it early.  The header
// section is bounded, and so is the number of Received: headers (a mail
// loop ends here).
#pragma once

#include <cstddef>
#include <string>

#include "base/limits.hpp"
#include "io/line_reader.hpp"
#include "smtp/message.hpp"

namespace orou::smtp {

enum class DataStatus {
    Ok,            // message complete
    TooBig,        // over max_size
    BareCrOrLf,    // a bare CR or LF
    TooLong,       // a line over the reader's max_line
    Nul,           // a NUL byte
    TooManyHops,   // more than max_hops Received: headers
    HeaderTooBig,  // a header section over max_header
    Timeout,       // the client stopped talking: the session ends
    Eof,           // the client went away: the session ends
};

struct DataLimits {
    std::size_t max_size = kDefaultMaxMessage;  // the message, CRLF line ends
    std::size_t max_header = 256u << 10;        // the header section
    int max_hops = 50;                          // Received: headers (Postfix's hopcount_limit)
};

// Reads one message, handing each line to `sink`.  At the first sign that
// it is bad the sink is told to abandon it and gets no more lines; a bad
// message is still read to its end, so the session goes on in step.  On
// Timeout and Eof the sink has been told to abandon too.
DataStatus read_data(io::LineReader& in, const io::Timer& timer, const DataLimits& limits, DataSink& sink);

// The same into a string (CRLF line ends); `message` is empty unless Ok.
DataStatus read_data(io::LineReader& in, const io::Timer& timer, std::size_t max_size, std::string& message);

// Adds dot-stuffing for sending a message (CRLF line ends) with ".\r\n".
std::string dot_stuff(std::string_view message);

}  // namespace orou::smtp
