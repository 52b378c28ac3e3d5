// A listening unix stream socket at a path, for tests that play a stage.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace orou::test {

inline Fd listen_unix(const std::string& path) {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    check_sys(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "bind");
    check_sys(::listen(fd.get(), 4), "listen");
    return fd;
}

// One line from a client's socket (or what came before EOF or its
// receive timeout).
inline std::string read_line(int fd) {
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
    return line;
}

}  // namespace orou::test
