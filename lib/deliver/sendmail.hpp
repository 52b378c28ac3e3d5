// The sendmail convention: `-f SENDER RCPT...`, the message on stdin (LF or
// CRLF line ends), a sysexits.h status: 0 delivered to every recipient,
// EX_TEMPFAIL when any delivery failed for now, EX_NOUSER for a refused
// local part (then nothing is delivered), EX_DATAERR for a message over
// the size limit, EX_USAGE for a bad sender.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/limits.hpp"
#include "deliver/store.hpp"
#include "io/stream.hpp"
#include "log/log.hpp"
#include "smtp/message.hpp"

namespace orou::deliver {

struct SendmailRequest {
    std::string sender;  // "" or "<>" for the null sender; <...> is dropped
    std::vector<std::string> rcpts;
    std::size_t max_message = kDefaultMaxMessage;
};

// Reads all of `in` (at most max_message bytes, within the timer) into
// `sink`, line by line: CRLF, LF and a bare CR each end a line, and a last
// line without an end counts.  Throws ExitError: EX_DATAERR when over the
// limit or a line is over 1 MiB, EX_TEMPFAIL on a timeout.
void read_message(io::Stream& in, const io::Timer& timer, std::size_t max_message, smtp::DataSink& sink);

// Checks the sender and every recipient, reads the message, delivers it to
// each recipient and returns EX_OK; throws ExitError with the status and
// the first failure otherwise.
int deliver_from_stream(Store& store, log::Logger& log, const SendmailRequest& request, io::Stream& in,
                        const io::Timer& timer);

}  // namespace orou::deliver
