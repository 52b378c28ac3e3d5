#include "auth/password_input.hpp"

#include <fcntl.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace orou::auth {

namespace {

// Turns echo off on a terminal for its lifetime.
class EchoOff {
public:
    explicit EchoOff(int fd) : fd_(fd) {
        check_sys(::tcgetattr(fd, &saved_), "read the terminal settings");
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        check_sys(::tcsetattr(fd, TCSAFLUSH, &quiet), "turn off echo");
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    ~EchoOff() { ::tcsetattr(fd_, TCSAFLUSH, &saved_); }

private:
    int fd_;
    termios saved_;
};

// Reads up to a newline or EOF, one byte at a time (no read past the line).
Secret read_line(int fd) {
    Secret line = Secret::with_size(kMaxPasswordInput + 1);
    std::size_t got = 0;
    while (got < line.size()) {
        ssize_t n = ::read(fd, line.bytes().data() + got, 1);
        if (n < 0 && errno == EINTR) continue;
        check_sys(n, "read the password");
        if (n == 0 || line.bytes()[got] == '\n') break;
        ++got;
    }
    if (got > kMaxPasswordInput) throw ExitError(EX_DATAERR, "password longer than 1024 bytes");
    if (got > 0 && line.bytes()[got - 1] == '\r') --got;
    line.truncate(got);
    if (line.empty()) throw ExitError(EX_DATAERR, "empty password");
    return line;
}

Secret prompt(int tty, const char* text) {
    write_all(tty, text, "write to /dev/tty");
    Secret answer = [&] {
        EchoOff quiet(tty);
        return read_line(tty);
    }();
    write_all(tty, "\n", "write to /dev/tty");
    return answer;
}

}  // namespace

Secret read_password_line(int fd) { return read_line(fd); }

Secret ask_password_twice() {
    Fd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
    if (!tty)
        throw ExitError(EX_NOINPUT,
                        std::string("unable to open /dev/tty: ") + std::strerror(errno) + " (use --password-stdin)");
    Secret first = prompt(tty.get(), "Password: ");
    Secret second = prompt(tty.get(), "Retype password: ");
    if (!first.equals(second)) throw ExitError(EX_DATAERR, "the passwords differ");
    return first;
}

}  // namespace orou::auth
