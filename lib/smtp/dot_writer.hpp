// The sending side of DATA: a message's lines written to a stream
// dot-stuffed, a buffer at a time, then the final dot.  For the next hop
// (smtpd) and for the upstream (orouboros-forward) alike.
#pragma once

#include <string>
#include <string_view>

#include "io/stream.hpp"

namespace orou::smtp {

class DotWriter {
public:
    // Borrows the stream.
    explicit DotWriter(io::Stream& out) : out_(out) {}

    // Adds a line (without its end); false once a write has failed, after
    // which lines are dropped.
    bool line(std::string_view text);
    // Writes what is left and the final dot; false when a write failed.
    bool finish();
    bool failed() const { return failed_; }

private:
    bool flush();

    io::Stream& out_;
    std::string buf_;
    bool failed_ = false;
};

}  // namespace orou::smtp
