// Owners of file descriptors and child processes.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace orou {

// A move-only owner of one file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

struct Pipe {
    Fd read, write;
};
Pipe make_pipe();  // both ends close-on-exec

// Writes all of data or throws SysError (EPIPE included).
void write_all(int fd, std::string_view data, const char* what);

// A spawned child: waited for (and killed first, if still running) by the
// destructor, unless wait() was called.
class Child {
public:
    Child() = default;
    explicit Child(pid_t pid) noexcept : pid_(pid) {}
    Child(Child&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
    Child& operator=(Child&& o) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();

    pid_t pid() const noexcept { return pid_; }
    // Waits; returns the raw wait status.
    int wait();
    // Forgets the child (someone else has reaped it).
    pid_t release() noexcept { return std::exchange(pid_, -1); }

private:
    pid_t pid_ = -1;
};

// Spawns argv[0] (an absolute or relative path, no PATH search when it has a
// slash) with the given fds as its stdin and stdout (-1: inherit).
// Never through a shell.  `env` entries ("NAME=value") are added to (or
// replace those of) the current environment.
Child spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
            const std::vector<std::string>& env = {});

}  // namespace orou
