// The file-system pieces of a delivery: the writer (a seam for tests), the
// owners of locks and of files not yet committed, directory creation and
// directory fsync.  Failures are thrown as SysError.
#pragma once

#include <cerrno>
#include <chrono>
#include <csignal>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "io/stream.hpp"

struct stat;

namespace orou::deliver {

// A mailbox that must not be written: a symbolic link, not a regular file
// (a fifo, a device, a directory), or a file with a second hard link,
// which would put the mail, or the rollback's truncation, into a file
// elsewhere.  A temporary failure, as in Postfix's local(8): the owner
// looks, the sender retries.
class UnsafeMailbox : public SysError {
public:
    UnsafeMailbox(const std::string& path, const std::string& why)
        : SysError("use " + path + " (" + why + ")", EPERM) {}
};

// Throws UnsafeMailbox unless `st` (the fstat of the open mailbox `path`)
// is a regular file with exactly one link.
void check_mailbox_file(const struct stat& st, const std::string& path);

// Writes and syncs files; a test injects one that fails part way.
class Writer {
public:
    virtual ~Writer() = default;
    virtual void write(int fd, std::string_view data);  // all of it, or throws
    virtual void sync(int fd);                          // fsync, or throws
};

// Creates the directory `path` (mode 0700) unless it exists; true when it
// was created.  Throws when it cannot, when `path` is not a directory, or
// (UnsafeMailbox) unless follow_link, when it is a symbolic link.
bool ensure_dir(const std::string& path, bool follow_link = true);

// fsyncs the directory `path` through `writer`.
void sync_dir(Writer& writer, const std::string& path);

// The parent directory of `path` ("." when it has no slash).
std::string parent_dir(const std::string& path);

struct LockTimes {
    std::chrono::seconds wait{30};    // give up (temporary failure) after this
    std::chrono::seconds stale{300};  // a dot-lock older than this is removed
};

// The pause between two attempts at a lock another process holds: 1 ms,
// then twice the last up to 100 ms.  A delivery holds a mailbox for
// about a millisecond (an append and an fsync); a mail reader may hold
// it for seconds, and is then asked about ten times a second.
class LockBackoff {
public:
    void pause();

private:
    std::chrono::milliseconds next_{1};
};

// Takes an fcntl write lock on the whole of fd, waiting up to `wait`.
// The lock goes with the fd's close.
void lock_whole_file(int fd, const std::string& path, std::chrono::seconds wait);

// A file that is removed by the destructor unless kept: a Maildir file in
// tmp/ (and then in new/) until the delivery is durable.
class PendingFile {
public:
    explicit PendingFile(std::string path) noexcept : path_(std::move(path)) {}
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;
    ~PendingFile();

    const std::string& path() const { return path_; }
    void rename_to(const std::string& to);  // the file is now `to`
    void keep() noexcept { path_.clear(); }

private:
    std::string path_;
};

// Blocks the termination signals while a delivery commits, so that a kill
// cannot cut a half-written entry out of its rollback.
class SignalBlock {
public:
    SignalBlock();
    SignalBlock(const SignalBlock&) = delete;
    SignalBlock& operator=(const SignalBlock&) = delete;
    ~SignalBlock();

private:
    sigset_t old_;
};

}  // namespace orou::deliver
