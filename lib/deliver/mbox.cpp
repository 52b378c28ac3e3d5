#include "deliver/mbox.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "deliver/mbox_lock.hpp"

namespace orou::deliver {

namespace {

struct MboxFile {
    Fd fd;
    bool created = false;
    off_t size = 0;
    dev_t dev = 0;
    ino_t ino = 0;
};

// Opens (or creates) the mbox, locks it, and notes its size under the lock.
MboxFile open_locked(const std::string& path, std::chrono::seconds wait) {
    constexpr int kFlags = O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    MboxFile f;
    f.fd.reset(::open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0600));
    f.created = static_cast<bool>(f.fd);
    if (!f.fd && errno == EEXIST) f.fd.reset(::open(path.c_str(), kFlags));
    if (!f.fd && (errno == ELOOP || errno == EISDIR || errno == ENXIO))
        throw UnsafeMailbox(path, errno == ELOOP ? "a symbolic link" : "not a regular file");
    if (!f.fd) throw SysError("open " + path, errno);
    struct stat st;
    check_sys(::fstat(f.fd.get(), &st), "stat " + path);
    check_mailbox_file(st, path);
    lock_whole_file(f.fd.get(), path, wait);
    check_sys(::fstat(f.fd.get(), &st), "stat " + path);
    check_mailbox_file(st, path);  // no link was made while we waited
    f.size = st.st_size, f.dev = st.st_dev, f.ino = st.st_ino;
    return f;
}

// True when the file is empty or its last byte is a newline.
bool ends_with_newline(int fd, off_t size, const std::string& path) {
    if (size == 0) return true;
    char last = 0;
    check_sys(::pread(fd, &last, 1, size - 1), "read " + path);
    return last == '\n';
}

// Cuts the mbox back to its old size unless committed; removes the file
// when this delivery created it.
class Rollback {
public:
    Rollback(const MboxFile& f, const std::string& path) noexcept
        : fd_(f.fd.get()), size_(f.size), created_path_(f.created ? path : "") {}
    Rollback(const Rollback&) = delete;
    Rollback& operator=(const Rollback&) = delete;
    ~Rollback() {
        if (committed_) return;
        if (!created_path_.empty()) ::unlink(created_path_.c_str());
        if (::ftruncate(fd_, size_) == 0) ::fsync(fd_);
    }
    void commit() noexcept { committed_ = true; }

private:
    int fd_;
    off_t size_;
    std::string created_path_;
    bool committed_ = false;
};

}  // namespace

void append_mbox(const std::string& dir, const Entry& entry, Writer& writer, const LockTimes& times,
                 std::string* repairs) {
    if (ensure_dir(dir)) sync_dir(writer, parent_dir(dir));
    const std::string path = dir + "/INBOX";
    DotLock dot_lock(path, times, repairs);
    MboxFile mbox = open_locked(path, times.wait);
    const int fd = mbox.fd.get();
    const bool separator = !ends_with_newline(fd, mbox.size, path);
    const off_t end = mbox.size + (separator ? 1 : 0) + static_cast<off_t>(entry.size());
    dot_lock.record({mbox.dev, mbox.ino, mbox.size, end, separator, mbox.created});  // a SIGKILL is undone
    SignalBlock no_kill_while_writing;
    Rollback rollback(mbox, path);
    if (separator) writer.write(fd, "\n");
    entry.write(writer, fd);
    writer.sync(fd);
    if (mbox.created) sync_dir(writer, dir);
    rollback.commit();
}

}  // namespace orou::deliver
