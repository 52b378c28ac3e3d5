#include "listener/dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "base/error.hpp"

namespace orou::listener {

namespace {

// The pid the holder wrote, as text ("unknown" when unreadable).
std::string holder_of(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string_view text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return "unknown";
    return std::string(text);
}

}  // namespace

DirLock::DirLock(const std::string& dir) : dir_(dir), path_(dir + "/orouboros.pid") {
    fd_ = Fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd_) throw SysError("open the lock file " + path_, errno);
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) throw SysError("lock " + path_, errno);
        throw ExitError(EX_TEMPFAIL, "another orouboros (pid " + holder_of(fd_.get()) +
                                         ") serves the socket directory " + dir + ": nothing was started");
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    check_sys(::ftruncate(fd_.get(), 0), "empty " + path_);
    if (::pwrite(fd_.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        throw SysError("write our pid in " + path_, errno ? errno : EIO);
}

}  // namespace orou::listener
