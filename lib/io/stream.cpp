#include "io/stream.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace orou::io {

bool wait_fd(int fd, bool for_write, Deadline deadline) {
    for (;;) {
        // Rounded up: a wait cut short by the rounding would end before the
        // deadline, and the caller would take a timeout for a lost peer.
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
        int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
        if (rc < 0 && errno == EINTR) continue;
        check_sys(rc, "poll");
        if (rc > 0) return true;
    }
}

ReadResult FdStream::read(std::span<char> buf, Deadline deadline) {
    for (;;) {
        if (!wait_fd(in_, false, deadline)) return {ReadStatus::Timeout};
        ssize_t n = ::read(in_, buf.data(), buf.size());
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0 && errno == ECONNRESET) return {ReadStatus::Eof};
        check_sys(n, "read");
        if (n == 0) return {ReadStatus::Eof};
        return {ReadStatus::Ok, static_cast<std::size_t>(n)};
    }
}

void FdStream::write(std::string_view data) { write_all(out_, data, "write"); }

}  // namespace orou::io
