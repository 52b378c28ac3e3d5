// Failures (not verdicts): a failed system call, a bad configuration, a
// usage error.  Thrown, and caught only at the edge: run_guarded() and the
// session loop.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace orou {

// A system call failed; names the call and its object, keeps errno.
class SysError : public std::runtime_error {
public:
    SysError(const std::string& what_failed, int err);
    int code() const noexcept { return errno_; }

private:
    int errno_;
};

// The configuration or the command line cannot be used.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A failure that maps to a given sysexits status (e.g. EX_DATAERR).
class ExitError : public std::runtime_error {
public:
    ExitError(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

// Throws SysError(what, errno) when rc < 0; returns rc otherwise.
long check_sys(long rc, const std::string& what);

// Runs body; any exception becomes one line on stderr ("PROG: fatal: ...")
// and a sysexits status: ConfigError -> EX_CONFIG, SysError -> EX_OSERR or
// EX_IOERR or EX_TEMPFAIL, ExitError -> its own, anything else -> EX_SOFTWARE.
int run_guarded(const char* prog, const std::function<int()>& body) noexcept;

}  // namespace orou
