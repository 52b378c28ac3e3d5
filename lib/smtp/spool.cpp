#include "smtp/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>

#include "base/error.hpp"

namespace orou::smtp {

namespace {

constexpr std::size_t kBuffer = 64 * 1024;

// An unlinked file in dir: O_TMPFILE, or where the file system lacks it, a
// named file removed at once.
Fd unnamed_file(const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd) return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        throw SysError("create a spool file in " + dir, errno);
    std::string path = dir + "/.spool.XXXXXX";
    fd.reset(::mkostemp(path.data(), O_CLOEXEC));
    if (!fd) throw SysError("create a spool file in " + dir, errno);
    ::unlink(path.c_str());
    return fd;
}

}  // namespace

Spool::Spool(const std::string& dir) : fd_(unnamed_file(dir)), dir_(dir) { buf_.reserve(kBuffer); }

void Spool::line(std::string_view text) {
    if (error_) return;
    if (!eight_bit_)
        eight_bit_ =
            std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    buf_.append(text);
    buf_.append("\r\n");
    size_ += text.size() + 2;
    if (buf_.size() >= kBuffer) flush();
}

void Spool::abandon() {
    buf_.clear();
    if (fd_ && ::ftruncate(fd_.get(), 0) != 0) error_ = errno;
    size_ = 0;
}

void Spool::flush() {
    try {
        write_all(fd_.get(), buf_, "write the spool file");
    } catch (const SysError& e) {
        error_ = e.code();
    }
    buf_.clear();
}

bool Spool::finish() {
    if (!error_ && !buf_.empty()) flush();
    return !error_;
}

void Spool::lines(const std::function<void(std::string_view)>& each) const {
    std::array<char, kBuffer> chunk;
    std::string carry;  // a line cut by the chunk's end; a spooled line is bounded by the reader
    off_t at = 0;
    for (;;) {
        const ssize_t n = ::pread(fd_.get(), chunk.data(), chunk.size(), at);
        if (n < 0 && errno == EINTR) continue;
        check_sys(n, "read the spool file in " + dir_);
        if (n == 0) break;
        at += n;
        std::string_view rest(chunk.data(), static_cast<std::size_t>(n));
        for (auto lf = rest.find('\n'); lf != std::string_view::npos; lf = rest.find('\n')) {
            carry.append(rest.substr(0, lf));
            rest.remove_prefix(lf + 1);
            std::string_view line = carry;
            if (line.ends_with('\r')) line.remove_suffix(1);
            each(line);
            carry.clear();
        }
        carry.append(rest);
    }
    if (!carry.empty()) each(carry);
}

std::unique_ptr<Spool> temp_spool() {
    const char* dir = std::getenv("TMPDIR");
    return std::make_unique<Spool>(dir && *dir ? dir : "/tmp");
}

}  // namespace orou::smtp
