#include "deliver/files.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <thread>

#include "base/error.hpp"

namespace orou::deliver {

namespace {

constexpr auto kLockRetry = std::chrono::milliseconds(100);
constexpr int kMaxStaleRemovals = 3;  // a lock that keeps coming back stale is not ours to fight

bool try_create(const std::string& path) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd) return true;
    if (errno != EEXIST) throw SysError("create the lock " + path, errno);
    return false;
}

// Removes the lock when it is older than `stale`; true when it is gone.
bool remove_if_stale(const std::string& path, std::chrono::seconds stale) {
    struct stat st;
    if (::lstat(path.c_str(), &st) < 0) return errno == ENOENT;
    if (std::time(nullptr) - st.st_mtime <= stale.count()) return false;
    if (::unlink(path.c_str()) < 0 && errno != ENOENT)
        throw SysError("remove the stale lock " + path, errno);
    return true;
}

[[noreturn]] void lock_busy(const std::string& path) {
    throw SysError("lock " + path + " (held by another process)", EAGAIN);
}

}  // namespace

void Writer::write(int fd, std::string_view data) { write_all(fd, data, "write"); }

void Writer::sync(int fd) { check_sys(::fsync(fd), "fsync"); }

bool ensure_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) == 0) return true;
    if (errno != EEXIST) throw SysError("create the directory " + path, errno);
    struct stat st;
    check_sys(::stat(path.c_str(), &st), "stat " + path);
    if (!S_ISDIR(st.st_mode)) throw SysError("use " + path + " as a directory", ENOTDIR);
    return false;
}

void sync_dir(Writer& writer, const std::string& path) {
    Fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw SysError("open the directory " + path, errno);
    writer.sync(dir.get());
}

std::string parent_dir(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

DotLock::DotLock(std::string path, const LockTimes& times) : path_(std::move(path)) {
    auto give_up = io::Clock::now() + times.wait;
    for (int removed = 0; !try_create(path_);) {
        if (removed < kMaxStaleRemovals && remove_if_stale(path_, times.stale)) {
            ++removed;
            continue;
        }
        if (io::Clock::now() >= give_up) lock_busy(path_);
        std::this_thread::sleep_for(kLockRetry);
    }
}

DotLock::~DotLock() { ::unlink(path_.c_str()); }

void lock_whole_file(int fd, const std::string& path, std::chrono::seconds wait) {
    auto give_up = io::Clock::now() + wait;
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    while (::fcntl(fd, F_SETLK, &fl) < 0) {
        if (errno != EACCES && errno != EAGAIN && errno != EINTR) throw SysError("lock " + path, errno);
        if (io::Clock::now() >= give_up) lock_busy(path);
        std::this_thread::sleep_for(kLockRetry);
    }
}

PendingFile::~PendingFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
}

void PendingFile::rename_to(const std::string& to) {
    check_sys(::rename(path_.c_str(), to.c_str()), "rename " + path_ + " to " + to);
    path_ = to;
}

SignalBlock::SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
}

SignalBlock::~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

}  // namespace orou::deliver
