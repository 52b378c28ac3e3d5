// Whole-file reads with a size cap, and atomic replacement of a file: a
// temporary file in the same directory, written, fsynced, renamed over the
// old one, then the directory fsynced.  A failure at any step leaves the old
// file as it was and no temporary file behind.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/fd.hpp"

namespace orou::auth {

// The bytes of path; throws SysError (EFBIG when it holds more than cap).
std::string read_file(const std::string& path, std::size_t cap);

// A temporary file beside target, removed by the destructor unless
// committed.  Created with O_EXCL and the given mode.
class TempFile {
public:
    TempFile(const std::string& target, mode_t mode);
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile();

    int fd() const noexcept { return fd_.get(); }
    const std::string& path() const noexcept { return path_; }
    // fsync, close, rename over target, fsync the directory.
    void commit();

private:
    std::string target_;
    std::string path_;
    Fd fd_;
    bool committed_ = false;
};

// Replaces path with content atomically; the new file gets mode (and, when
// run as root, the old file's owner and group).  Throws SysError.
void write_file_atomically(const std::string& path, std::string_view content, mode_t mode);

}  // namespace orou::auth
