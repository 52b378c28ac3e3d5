// A TCP connection to one address of an upstream, made under a deadline,
// and the Stream over it: non-blocking, every read and write bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/fd.hpp"
#include "io/stream.hpp"

namespace orou::forward {

struct Connected {
    Fd fd;              // invalid on failure
    std::string error;  // why not, for the reply and the log
};

// Connects to address (IPv4 or IPv6 text) and port by the deadline.
[[nodiscard]] Connected connect_to(const std::string& address, std::uint16_t port, io::Deadline deadline);

class SocketStream final : public io::Stream {
public:
    // Borrows a non-blocking socket.  A write that cannot go on for
    // write_timeout throws SysError(ETIMEDOUT).
    SocketStream(int fd, std::chrono::seconds write_timeout) noexcept : fd_(fd), write_timeout_(write_timeout) {}
    io::ReadResult read(std::span<char> buf, io::Deadline deadline) override;
    void write(std::string_view data) override;

private:
    int fd_;
    std::chrono::seconds write_timeout_;
};

}  // namespace orou::forward
