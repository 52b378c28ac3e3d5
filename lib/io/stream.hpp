// A byte stream with a deadline on every read: plain fds here, TLS in
// lib/tls.  Nothing reads from a peer without a deadline.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>

namespace orou::io {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// An idle timeout per read, bounded by a deadline for the whole session.
struct Timer {
    std::chrono::seconds idle;
    Deadline end;
    Deadline next() const { return std::min(Clock::now() + idle, end); }
};

enum class ReadStatus { Ok, Eof, Timeout };

struct ReadResult {
    ReadStatus status;
    std::size_t n = 0;
};

class Stream {
public:
    virtual ~Stream() = default;
    // Reads at least one byte unless the peer closed or the deadline passed.
    virtual ReadResult read(std::span<char> buf, Deadline deadline) = 0;
    // Writes everything; throws SysError when the peer is gone.
    virtual void write(std::string_view data) = 0;
    // True when bytes are already buffered below this stream (TLS records).
    virtual bool pending() const { return false; }
};

// A stream over a read fd and a write fd (the same socket, or two pipes).
// Borrows the fds.
class FdStream final : public Stream {
public:
    FdStream(int in_fd, int out_fd) noexcept : in_(in_fd), out_(out_fd) {}
    ReadResult read(std::span<char> buf, Deadline deadline) override;
    void write(std::string_view data) override;
    int in_fd() const noexcept { return in_; }
    int out_fd() const noexcept { return out_; }

private:
    int in_, out_;
};

// Waits until fd is readable (or writable); false on timeout.
bool wait_fd(int fd, bool for_write, Deadline deadline);

}  // namespace orou::io
