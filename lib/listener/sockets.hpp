// The listener's listening sockets: a TCP port on an address, a unix
// socket file (removed when the socket is closed), or a socket it was given.
#pragma once

#include <sys/socket.h>

#include <string>
#include <utility>

#include "base/fd.hpp"
#include "log/log.hpp"

namespace orou::listener {

struct Port;  // listener.hpp

class Listening {
public:
    Listening() = default;
    Listening(Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
    Listening(Listening&& o) noexcept;
    Listening& operator=(Listening&& o) noexcept;
    Listening(const Listening&) = delete;
    Listening& operator=(const Listening&) = delete;
    ~Listening();

    int get() const { return fd_.get(); }

private:
    void remove() noexcept;

    Fd fd_;
    std::string path_;  // a unix socket's file: removed with the socket
};

// Listens on the port's address (an IPv6 address for IPv6 only, so that
// 0.0.0.0 and :: bind side by side) or its unix socket (0660, for its
// group; a stale socket file is replaced), or adopts the socket it was
// given.  Throws ConfigError or SysError.
Listening listen_on(const Port& p);

// What a port listens on: equal for ports that share one socket, so that
// a reload keeps the socket.
std::string address_key(const Port& p);

// The client's numeric address and port.
std::pair<std::string, std::string> peer_of(const sockaddr_storage& ss, socklen_t len);

// Logs that `p` is listening (its address or path, or the fd it was given).
void log_listening(log::Logger& log, const Port& p);

}  // namespace orou::listener
