#include "listener/privsep.hpp"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/error.hpp"

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

// The environment of a child: a fixed PATH, the few of ours it may use
// (the time zone, systemd's journal stream for its stderr, OpenSSL's
// trust store for orouboros-forward, a sanitizer build's settings) and
// `extra`; nothing else of ours.
std::vector<std::string> child_env(const std::vector<std::string>& extra) {
    std::vector<std::string> out{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    for (const char* name : {"TZ", "JOURNAL_STREAM", "SSL_CERT_FILE", "SSL_CERT_DIR", "ASAN_OPTIONS", "UBSAN_OPTIONS"})
        if (const char* value = std::getenv(name)) out.push_back(std::string(name) + "=" + value);
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& words) {
    std::vector<char*> out;
    for (auto& w : words) out.push_back(w.data());
    out.push_back(nullptr);
    return out;
}

// Empties the capability bounding set (needs root): nothing run from here
// on can regain a capability.  Async-signal-safe.
bool drop_bounding_set() {
    constexpr int kCapabilitySlots = 64;  // more than any kernel has (CAP_LAST_CAP)
    for (int cap = 0; cap < kCapabilitySlots; ++cap)
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return false;
    return true;
}

// In the child, after fork: only async-signal-safe calls from here on.
bool become(const Identity& id) {
    if (!drop_bounding_set()) return false;
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
    // Nothing else of ours: not the other ports' sockets, not the lock,
    // not a descriptor whoever started us left open.
    if (::close_range(3, ~0U, 0) != 0) ::_exit(kExecFailed);
    if (id && !become(*id)) {
        say("orouboros: fatal: unable to become user ", id->name.c_str());
        ::_exit(kExecFailed);
    }
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(kExecFailed);
    // A listener killed without its SIGTERM takes its children along (set
    // after setuid, which clears it; a parent gone already is seen too).
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent) ::_exit(kExecFailed);
    ::execve(args[0], args.data(), envp.data());
    say("orouboros: fatal: unable to run ", args[0]);
    ::_exit(kExecFailed);
}

void drop_privileges(const Identity& id, const std::string& root_dir) {
    if (!root_dir.empty()) {
        check_sys(::chroot(root_dir.c_str()), "confine this process to " + root_dir);
        check_sys(::chdir("/"), "enter " + root_dir);
    }
    int death_signal = 0;  // setuid clears it: set again after
    check_sys(::prctl(PR_GET_PDEATHSIG, &death_signal), "read the parent-death signal");
    const pid_t parent = ::getppid();
    errno = 0;
    if (!become(id)) throw SysError("become user " + id.name, errno ? errno : EPERM);
    check_sys(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no-new-privileges");
    check_sys(::prctl(PR_SET_PDEATHSIG, death_signal), "set the parent-death signal");
    if (death_signal != 0 && ::getppid() != parent) throw SysError("outlive the parent", ESRCH);
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
