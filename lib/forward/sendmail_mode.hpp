// The sendmail convention of orouboros-forward: `-f SENDER RCPT...`, the
// message on stdin (LF or CRLF line ends), a sysexits.h status.  Every
// recipient must be accepted by the upstream before the message is sent
// (so the status is true for all of them); with --mx, one session per
// recipient domain, all opened before any DATA.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/limits.hpp"
#include "forward/upstream.hpp"
#include "io/stream.hpp"
#include "log/log.hpp"

namespace orou::forward {

struct SendmailRequest {
    std::string sender;  // "" or "<>" for the null sender; <...> is dropped
    std::vector<std::string> rcpts;
    std::size_t max_message = kDefaultMaxMessage;
};

// Reads the message from `in`, hands it on and returns EX_OK; throws
// ExitError with the status (exit_for_upstream) and the upstream's reply
// otherwise: EX_USAGE for a bad address, EX_DATAERR for a message over
// the limit, EX_TEMPFAIL for a timeout reading it.
int forward_from_stream(Connector& connector, log::Logger& log, const SendmailRequest& request, io::Stream& in,
                        const io::Timer& timer);

}  // namespace orou::forward
