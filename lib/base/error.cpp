#include "base/error.hpp"

#include <sysexits.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace orou {

SysError::SysError(const std::string& what_failed, int err)
    : std::runtime_error("unable to " + what_failed + ": " + std::strerror(err)), errno_(err) {}

long check_sys(long rc, const std::string& what) {
    if (rc < 0) throw SysError(what, errno);
    return rc;
}

namespace {

int sys_status(int err) {
    switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EAGAIN:
    case EINTR:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case ETIMEDOUT:
    case ECONNREFUSED:
    case ECONNRESET: return EX_TEMPFAIL;
    case EACCES:
    case EPERM: return EX_NOPERM;
    case EIO: return EX_IOERR;
    default: return EX_OSERR;
    }
}

}  // namespace

int run_guarded(const char* prog, const std::function<int()>& body) noexcept {
    try {
        return body();
    } catch (const ExitError& e) {
        std::fprintf(stderr, "%s: fatal: %s\n", prog, e.what());
        return e.status();
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "%s: fatal: %s\n", prog, e.what());
        return EX_CONFIG;
    } catch (const SysError& e) {
        std::fprintf(stderr, "%s: fatal: %s\n", prog, e.what());
        return sys_status(e.code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: fatal: internal error: %s\n", prog, e.what());
        return EX_SOFTWARE;
    } catch (...) {
        std::fprintf(stderr, "%s: fatal: internal error\n", prog);
        return EX_SOFTWARE;
    }
}

}  // namespace orou
