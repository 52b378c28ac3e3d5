#include "base/fd.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"

extern char** environ;

namespace orou {

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
}

void Fd::reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

Pipe make_pipe() {
    int p[2];
    check_sys(::pipe2(p, O_CLOEXEC), "create a pipe");
    return {Fd(p[0]), Fd(p[1])};
}

void write_all(int fd, std::string_view data, const char* what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        check_sys(n, what);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

Child& Child::operator=(Child&& o) noexcept {
    if (this != &o) {
        this->~Child();
        pid_ = std::exchange(o.pid_, -1);
    }
    return *this;
}

Child::~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int st;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {}
}

int Child::wait() {
    int st = 0;
    pid_t r;
    while ((r = ::waitpid(pid_, &st, 0)) < 0 && errno == EINTR) {}
    check_sys(r, "wait for a child process");
    pid_ = -1;
    return st;
}

namespace {

std::vector<char*> make_env(const std::vector<std::string>& extra) {
    std::vector<char*> env;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        bool replaced = false;
        for (const auto& x : extra)
            replaced = replaced || entry.substr(0, entry.find('=') + 1) == x.substr(0, x.find('=') + 1);
        if (!replaced) env.push_back(*e);
    }
    for (const auto& x : extra) env.push_back(const_cast<char*>(x.c_str()));
    env.push_back(nullptr);
    return env;
}

}  // namespace

Child spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, const std::vector<std::string>& env) {
    if (argv.empty()) throw ConfigError("empty command");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp = make_env(env);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
    if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t dfl;
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGCHLD);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = ::posix_spawn(&pid, args[0], &fa, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw SysError("run " + argv[0], rc);
    return Child(pid);
}

}  // namespace orou
