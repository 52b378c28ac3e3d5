// Helpers of the delivery tests (with TempDir and slurp from
// auth_temp_dir.hpp): file facts, and a Writer that fails part way (ENOSPC
// after a byte budget, or a failing fsync), so that every rollback path
// runs without a full disk.
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>

#include "auth_temp_dir.hpp"
#include "base/error.hpp"
#include "deliver/files.hpp"

namespace orou::test {

inline bool exists(const std::string& path) { return std::filesystem::exists(std::filesystem::symlink_status(path)); }

inline unsigned mode_of(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

// Files directly in `dir` (0 when it does not exist).
inline std::size_t count_files(const std::string& dir) {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
        ++n;
    return n;
}

// Writes `budget` bytes, then fails with `error`; fails the fsync number
// `failing_sync` (1 = the first), when set.
class FailingWriter final : public deliver::Writer {
public:
    std::size_t budget = static_cast<std::size_t>(-1);
    int error = ENOSPC;
    int failing_sync = 0;

    void write(int fd, std::string_view data) override {
        if (data.size() <= budget) {
            budget -= data.size();
            return Writer::write(fd, data);
        }
        Writer::write(fd, data.substr(0, budget));
        budget = 0;
        throw SysError("write", error);
    }
    void sync(int fd) override {
        if (++syncs_ == failing_sync) throw SysError("fsync", EIO);
        Writer::sync(fd);
    }

private:
    int syncs_ = 0;
};

}  // namespace orou::test
