#include "smtp/dot_writer.hpp"

#include "base/error.hpp"

namespace orou::smtp {

namespace {

constexpr std::size_t kBuffer = 64 * 1024;

}  // namespace

bool DotWriter::line(std::string_view text) {
    if (failed_) return false;
    if (text.starts_with('.')) buf_ += '.';
    buf_.append(text);
    buf_.append("\r\n");
    return buf_.size() < kBuffer || flush();
}

bool DotWriter::finish() {
    if (failed_) return false;
    buf_.append(".\r\n");
    return flush();
}

bool DotWriter::flush() {
    try {
        out_.write(buf_);
    } catch (const SysError&) {
        failed_ = true;
    }
    buf_.clear();
    return !failed_;
}

}  // namespace orou::smtp
