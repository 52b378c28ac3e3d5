#include "listener/privsep.hpp"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.hpp"

extern char** environ;

namespace orou::listener {

namespace {

constexpr int kExecFailed = 127;  // the status of a child that could not exec

std::vector<gid_t> groups_of(const char* name, gid_t gid) {
    int n = 32;
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    while (::getgrouplist(name, gid, groups.data(), &n) < 0) groups.resize(static_cast<std::size_t>(n));
    groups.resize(static_cast<std::size_t>(n));
    return groups;
}

// The environment of a child: ours, with `extra` replacing the same names.
std::vector<std::string> child_env(const std::vector<std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        std::string_view name = entry.substr(0, entry.find('=') + 1);
        auto same_name = [&](const std::string& x) { return x.starts_with(name); };
        bool replaced = std::any_of(extra.begin(), extra.end(), same_name);
        if (!replaced) out.emplace_back(entry);
    }
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& words) {
    std::vector<char*> out;
    for (auto& w : words) out.push_back(w.data());
    out.push_back(nullptr);
    return out;
}

// In the child, after fork: only async-signal-safe calls from here on.
bool become(const Identity& id) {
    if (::setgroups(id.groups.size(), id.groups.data()) != 0) return false;
    if (::setgid(id.gid) != 0 || ::setuid(id.uid) != 0) return false;
    return ::setuid(0) != 0;  // root must be gone for good
}

void say(const char* a, const char* b) {
    (void)!::write(STDERR_FILENO, a, std::strlen(a));
    (void)!::write(STDERR_FILENO, b, std::strlen(b));
    (void)!::write(STDERR_FILENO, "\n", 1);
}

}  // namespace

void reset_signals() {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGPIPE, SIGHUP}) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

Identity lookup_user(const std::string& name) {
    errno = 0;
    const passwd* pw = ::getpwnam(name.c_str());
    if (!pw) throw ExitError(EX_NOUSER, "no user " + name + " (create it, or name another one)");
    if (pw->pw_uid == 0) throw ConfigError("refusing to run a part of the relay as root (user " + name + ")");
    Identity id{name, pw->pw_uid, pw->pw_gid, {}, pw->pw_dir ? pw->pw_dir : "/"};
    id.groups = groups_of(pw->pw_name, pw->pw_gid);
    return id;
}

Child spawn_as(const Identity* id, const std::vector<std::string>& argv, int conn, int log_fd,
               const std::vector<std::string>& env) {
    if (argv.empty()) throw ConfigError("empty command");
    std::vector<std::string> words = argv, extra = env;
    if (id) extra.insert(extra.end(), {"USER=" + id->name, "LOGNAME=" + id->name, "HOME=" + id->home});
    std::vector<std::string> vars = child_env(extra);
    std::vector<char*> args = pointers(words), envp = pointers(vars);
    const pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork for " + argv[0], errno);
    if (pid > 0) return Child(pid);
    reset_signals();
    if (::dup2(conn, STDIN_FILENO) < 0 || ::dup2(conn, STDOUT_FILENO) < 0) ::_exit(kExecFailed);
    if (log_fd >= 0 && ::dup2(log_fd, STDERR_FILENO) < 0) ::_exit(kExecFailed);
    if (id && !become(*id)) {
        say("orouboros: fatal: unable to become user ", id->name.c_str());
        ::_exit(kExecFailed);
    }
    // A listener killed without its SIGTERM takes its children along (set
    // after setuid, which clears it; a parent gone already is seen too).
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent) ::_exit(kExecFailed);
    ::execve(args[0], args.data(), envp.data());
    say("orouboros: fatal: unable to run ", args[0]);
    ::_exit(kExecFailed);
}

bool can_access_as(const Identity& id, const std::string& path, int mode) {
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork", errno);
    if (pid == 0) ::_exit(become(id) && ::access(path.c_str(), mode) == 0 ? 0 : 1);
    Child child(pid);
    int st = child.wait();
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

}  // namespace orou::listener
