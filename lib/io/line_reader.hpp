// Bounded, deadline-bound line reading: the only way bytes from a peer
// become lines.  A line never grows past max_line bytes in memory.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "io/stream.hpp"

namespace orou::io {

enum class LineStatus {
    Ok,          // a line ended by CRLF (returned without it)
    TooLong,     // longer than max_line; skipped up to its end
    BareCrOrLf,  // ended by a bare LF, or holds a bare CR
    Nul,         // holds a NUL byte
    Timeout,
    Eof,  // closed (a partial last line is dropped)
};

class LineReader {
public:
    LineReader(Stream& stream, std::size_t max_line) : stream_(&stream), max_line_(max_line) {}

    // Reads the next line.  The line's bytes are in `line` for Ok and for
    // BareCrOrLf/Nul (without the terminator), empty for TooLong.
    LineStatus next(std::string& line, Deadline deadline);

    // Whether the last line returned ended with CRLF (not a bare LF).
    bool last_ended_crlf() const { return last_crlf_; }

    void set_stream(Stream& stream) { stream_ = &stream; }
    void set_max_line(std::size_t max_line) { max_line_ = max_line; }
    std::size_t max_line() const { return max_line_; }

    // Input already received but not yet consumed (pipelined commands).
    bool has_buffered() const { return pos_ < buf_.size() || stream_->pending(); }
    // Drops buffered input (after STARTTLS, and before the greeting).
    void discard_buffered() { buf_.clear(), pos_ = 0; }

private:
    bool fill(Deadline deadline, ReadStatus& status);

    static constexpr std::size_t kChunk = 16384;  // a read's most

    Stream* stream_;
    std::size_t max_line_;
    std::unique_ptr<char[]> chunk_;  // what a read fills, before it joins buf_
    std::vector<char> buf_;
    std::size_t pos_ = 0;
    bool last_crlf_ = true;
};

}  // namespace orou::io
