#include "auth/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/error.hpp"

namespace orou::auth {

namespace {

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

void fsync_directory(const std::string& dir) {
    Fd fd(
        static_cast<int>(check_sys(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open directory " + dir)));
    check_sys(::fsync(fd.get()), "fsync directory " + dir);
}

// As root, the new file keeps the old one's owner (the service's user).
void keep_owner(int fd, const std::string& target) {
    struct stat old;
    if (::geteuid() != 0 || ::stat(target.c_str(), &old) != 0) return;
    check_sys(::fchown(fd, old.st_uid, old.st_gid), "set the owner of a new " + target);
}

}  // namespace

std::string read_file(const std::string& path, std::size_t cap) {
    Fd fd(static_cast<int>(check_sys(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open " + path)));
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        check_sys(n, "read " + path);
        if (n == 0) return out;
        if (out.size() + static_cast<std::size_t>(n) > cap) throw SysError("read " + path, EFBIG);
        out.append(buf, static_cast<std::size_t>(n));
    }
}

TempFile::TempFile(const std::string& target, mode_t mode) : target_(target) {
    std::string tmpl = target + ".tmp.XXXXXX";
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    check_sys(fd, "create a temporary file beside " + target);
    fd_.reset(fd);
    path_ = tmpl;
    check_sys(::fchmod(fd, mode), "set the mode of " + path_);
}

TempFile::~TempFile() {
    if (!committed_ && !path_.empty()) ::unlink(path_.c_str());
}

void TempFile::commit() {
    check_sys(::fsync(fd_.get()), "fsync " + path_);
    check_sys(::close(fd_.release()), "close " + path_);
    check_sys(::rename(path_.c_str(), target_.c_str()), "rename " + path_ + " to " + target_);
    committed_ = true;
    fsync_directory(directory_of(target_));
}

void write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
    TempFile tmp(path, mode);
    keep_owner(tmp.fd(), path);
    write_all(tmp.fd(), content, ("write " + tmp.path()).c_str());
    tmp.commit();
}

}  // namespace orou::auth
