#include "deliver/files.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <thread>

#include "base/error.hpp"

namespace orou::deliver {

namespace {

constexpr auto kMaxLockPause = std::chrono::milliseconds(100);

[[noreturn]] void lock_busy(const std::string& path) {
    throw SysError("lock " + path + " (held by another process)", EAGAIN);
}

}  // namespace

void Writer::write(int fd, std::string_view data) { write_all(fd, data, "write"); }

void Writer::sync(int fd) { check_sys(::fsync(fd), "fsync"); }

bool ensure_dir(const std::string& path, bool follow_link) {
    if (::mkdir(path.c_str(), 0700) == 0) return true;
    if (errno != EEXIST) throw SysError("create the directory " + path, errno);
    struct stat st;
    check_sys(follow_link ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st), "stat " + path);
    if (S_ISLNK(st.st_mode)) throw UnsafeMailbox(path, "a symbolic link, not a directory");
    if (!S_ISDIR(st.st_mode)) throw SysError("use " + path + " as a directory", ENOTDIR);
    return false;
}

void check_mailbox_file(const struct stat& st, const std::string& path) {
    if (!S_ISREG(st.st_mode)) throw UnsafeMailbox(path, "not a regular file");
    if (st.st_nlink != 1) throw UnsafeMailbox(path, std::to_string(st.st_nlink) + " hard links, not 1");
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

void LockBackoff::pause() {
    std::this_thread::sleep_for(next_);
    next_ = std::min(2 * next_, kMaxLockPause);
}

void lock_whole_file(int fd, const std::string& path, std::chrono::seconds wait) {
    auto give_up = io::Clock::now() + wait;
    LockBackoff backoff;
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    while (::fcntl(fd, F_SETLK, &fl) < 0) {
        if (errno != EACCES && errno != EAGAIN && errno != EINTR) throw SysError("lock " + path, errno);
        if (io::Clock::now() >= give_up) lock_busy(path);
        backoff.pause();
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
