#include "io/line_reader.hpp"

#include <algorithm>

namespace orou::io {

bool LineReader::fill(Deadline deadline, ReadStatus& status) {
    if (pos_ > 0) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
        pos_ = 0;
    }
    // The chunk is the reader's, made once and not zeroed: a read touches
    // only the pages it fills.  (16 KiB on the stack cost a forked session
    // two page faults of its own, measured with bench/.)
    if (!chunk_) chunk_ = std::make_unique_for_overwrite<char[]>(kChunk);
    ReadResult r = stream_->read(std::span<char>(chunk_.get(), kChunk), deadline);
    status = r.status;
    if (r.status != ReadStatus::Ok) return false;
    buf_.insert(buf_.end(), chunk_.get(), chunk_.get() + r.n);
    return true;
}

LineStatus LineReader::next(std::string& line, Deadline deadline) {
    line.clear();
    bool too_long = false;
    for (;;) {
        auto begin = buf_.begin() + static_cast<std::ptrdiff_t>(pos_);
        auto lf = std::find(begin, buf_.end(), '\n');
        if (lf == buf_.end()) {
            // No line end yet: never hold more than max_line bytes (plus CR).
            if (static_cast<std::size_t>(buf_.end() - begin) > max_line_ + 1) too_long = true;
            if (too_long) buf_.clear(), pos_ = 0;
            ReadStatus st;
            if (!fill(deadline, st)) return st == ReadStatus::Timeout ? LineStatus::Timeout : LineStatus::Eof;
            continue;
        }
        std::size_t len = static_cast<std::size_t>(lf - begin);
        bool crlf = len > 0 && *(lf - 1) == '\r';
        std::size_t content = crlf ? len - 1 : len;
        pos_ += len + 1;
        last_crlf_ = crlf;
        if (too_long || content > max_line_) return LineStatus::TooLong;
        line.assign(begin, begin + static_cast<std::ptrdiff_t>(content));
        if (!crlf || line.find('\r') != std::string::npos) return LineStatus::BareCrOrLf;
        if (line.find('\0') != std::string::npos) return LineStatus::Nul;
        return LineStatus::Ok;
    }
}

}  // namespace orou::io
