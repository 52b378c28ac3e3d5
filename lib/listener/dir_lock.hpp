// One listener per socket directory: a lock file in it, held (flock) for
// the listener's life, with its pid written in it.
#pragma once

#include <string>

#include "base/fd.hpp"

namespace orou::listener {

class DirLock {
public:
    // Locks DIR/orouboros.pid and writes our pid in it.  Throws
    // ExitError(EX_TEMPFAIL) naming the directory and the holder's pid
    // when another process holds it, SysError when it cannot be made.
    explicit DirLock(const std::string& dir);
    const std::string& path() const { return path_; }
    const std::string& dir() const { return dir_; }

private:
    std::string dir_;
    std::string path_;
    Fd fd_;  // the lock lasts as long as this descriptor is open
};

}  // namespace orou::listener
