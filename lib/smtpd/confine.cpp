#include "smtpd/confine.hpp"

#include <linux/seccomp.h>
#include <openssl/rand.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include <ctime>
#include <memory>

#include "base/error.hpp"
#include "base/sanitizer.hpp"
#include "listener/privsep.hpp"

namespace orou::smtpd {

namespace {

struct FilterFree {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterFree>;

// What a session does, and no more: read and write its sockets (the
// client, the stages, the checker), wait on them with a deadline, connect
// to a stage, allocate, take the time, draw random bytes, handle signals
// and its alarm, count what it cost, and end.  units/orouboros-smtp@.service and its siblings
// allow every call on it (SystemCallFilter=), checked by tests/cli/smtpd.bats.
constexpr int kSessionCalls[] = {
    SCMP_SYS(read),          SCMP_SYS(write),
    SCMP_SYS(readv),         SCMP_SYS(writev),
    SCMP_SYS(recvfrom),      SCMP_SYS(sendto),
    SCMP_SYS(recvmsg),       SCMP_SYS(sendmsg),
    SCMP_SYS(poll),          SCMP_SYS(ppoll),
    SCMP_SYS(close),         SCMP_SYS(shutdown),
    SCMP_SYS(connect),       SCMP_SYS(getpeername),
    SCMP_SYS(getsockname),   SCMP_SYS(setsockopt),
    SCMP_SYS(getsockopt),    SCMP_SYS(fcntl),
    SCMP_SYS(fstat),         SCMP_SYS(newfstatat),
    SCMP_SYS(lseek),         SCMP_SYS(brk),
    SCMP_SYS(mmap),          SCMP_SYS(munmap),
    SCMP_SYS(mremap),        SCMP_SYS(madvise),
    SCMP_SYS(mprotect),      SCMP_SYS(futex),
    SCMP_SYS(rt_sigaction),  SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),  SCMP_SYS(alarm),
    SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
    SCMP_SYS(time),          SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),     SCMP_SYS(getpid),
    SCMP_SYS(gettid),        SCMP_SYS(getrandom),
    SCMP_SYS(tgkill),        SCMP_SYS(exit),
    SCMP_SYS(exit_group),    SCMP_SYS(restart_syscall),
    SCMP_SYS(dup),           SCMP_SYS(getrusage),
};

// A sanitizer build's runtime makes calls of its own in a session: it
// probes memory through a pipe, and at exit LeakSanitizer stops the
// threads from a traced clone and reads /proc/self/maps.  Allowed in such
// builds only (make check-asan), never in the programs installed.
#ifdef OROU_ASAN
constexpr int kSanitizerCalls[] = {
    SCMP_SYS(pipe),       SCMP_SYS(pipe2),           SCMP_SYS(clone),
    SCMP_SYS(clone3),     SCMP_SYS(ptrace),          SCMP_SYS(wait4),
    SCMP_SYS(waitid),     SCMP_SYS(sched_yield),     SCMP_SYS(prctl),
    SCMP_SYS(getppid),    SCMP_SYS(sigaltstack),     SCMP_SYS(open),
    SCMP_SYS(openat),     SCMP_SYS(getdents64),      SCMP_SYS(readlink),
    SCMP_SYS(readlinkat), SCMP_SYS(uname),           SCMP_SYS(sched_getaffinity),
    SCMP_SYS(kill),       SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
    SCMP_SYS(getrlimit),  SCMP_SYS(prlimit64),       SCMP_SYS(setrlimit),
};
#else
constexpr int kSanitizerCalls[] = {SCMP_SYS(exit)};  // already on the list: nothing more
#endif

void check_seccomp(int rc, const char* what) {
    if (rc < 0) throw SysError(what, -rc);
}

}  // namespace

std::string spec_inside(std::string_view spec, const std::string& root) {
    if (spec.starts_with("lmtp:") || spec.starts_with("tcp:")) return std::string(spec);
    std::string prefix = "unix:" + root + "/";
    if (spec.starts_with(prefix)) return "unix:/" + std::string(spec.substr(prefix.size()));
    throw ConfigError("stage " + std::string(spec) + " cannot be reached from inside " + root);
}

void drop_root(Options& options) {
    if (::geteuid() != 0) throw ExitError(EX_NOPERM, "--user needs orouboros-smtpd started as root");
    unsigned char seed[1];  // OpenSSL's generator, seeded now
    if (RAND_bytes(seed, sizeof seed) != 1) throw ConfigError("OpenSSL has no random source");
    const listener::Identity id = listener::lookup_user(options.user);
    const std::string& root = options.chroot_dir;
    listener::drop_privileges(id, root);
    if (root.empty()) return;
    auto& c = options.config;
    for (auto* spec : {&c.local_route, &c.forward_route, &c.relay_route, &options.auth_spec})
        if (!spec->empty()) *spec = spec_inside(*spec, root);
}

bool can_restrict(const Options& options) {
    const auto& c = options.config;
    for (const auto* spec : {&c.local_route, &c.forward_route, &c.relay_route, &options.auth_spec})
        if (!spec->empty() && !spec->starts_with("unix:")) return false;
    return true;
}

SyscallFilter SyscallFilter::compile() {
    Filter filter(seccomp_init(SCMP_ACT_KILL_PROCESS));
    if (!filter) throw SysError("set up the system call filter", ENOMEM);
    void* f = filter.get();
    for (int call : kSessionCalls) check_seccomp(seccomp_rule_add(f, SCMP_ACT_ALLOW, call, 0), "allow a system call");
    for (int call : kSanitizerCalls) check_seccomp(seccomp_rule_add(f, SCMP_ACT_ALLOW, call, 0), "allow a system call");
    // Unix sockets only (the stages, the journal); ioctl only as isatty(3) uses it.
    check_seccomp(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX)),
                  "allow socket");
    check_seccomp(seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS)), "allow ioctl");
    Fd memory(::memfd_create("orouboros-smtpd-filter", MFD_CLOEXEC));
    if (!memory) throw SysError("make room for the system call filter", errno);
    check_seccomp(seccomp_export_bpf(f, memory.get()), "compile the system call filter");
    const off_t size = ::lseek(memory.get(), 0, SEEK_END);
    if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
        throw SysError("compile the system call filter", EINVAL);
    SyscallFilter out;
    out.program_.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (::pread(memory.get(), out.program_.data(), static_cast<std::size_t>(size), 0) != size)
        throw SysError("read the system call filter", errno ? errno : EIO);
    return out;
}

void SyscallFilter::load() const {
    sock_fprog prog{static_cast<unsigned short>(program_.size()), const_cast<sock_filter*>(program_.data())};
    check_sys(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no-new-privileges");
    check_sys(::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), "load the system call filter");
}

}  // namespace orou::smtpd

#ifdef OROU_ASAN
// LeakSanitizer's check at exit stops the process from a traced clone,
// which a process that gave up root in place (no longer dumpable, and in a
// chroot without /proc) cannot do: it would spin for ever.  Such a process
// is not leak-checked; every other one still is.
extern "C" int __lsan_is_turned_off() { return ::prctl(PR_GET_DUMPABLE) == 0 ? 1 : 0; }
#endif
