#include "proto/status.hpp"

#include <sys/wait.h>
#include <sysexits.h>

namespace orou::proto {

namespace {

struct Row {
    int exit_status;
    ExitReply reply;
};

constexpr Row kTable[] = {
    {EX_OK, {250, "2.0.0", "delivered"}},
    {EX_USAGE, {554, "5.3.5", "delivery program usage error"}},
    {EX_DATAERR, {554, "5.6.0", "message data error"}},
    {EX_NOINPUT, {554, "5.3.0", "delivery input missing"}},
    {EX_NOUSER, {550, "5.1.1", "no such user"}},
    {EX_NOHOST, {550, "5.1.2", "no such host"}},
    {EX_UNAVAILABLE, {554, "5.3.0", "delivery unavailable"}},
    {EX_SOFTWARE, {451, "4.3.0", "internal software error"}},
    {EX_OSERR, {451, "4.3.0", "system error"}},
    {EX_OSFILE, {451, "4.3.0", "system file missing"}},
    {EX_CANTCREAT, {550, "5.2.0", "cannot create output"}},
    {EX_IOERR, {451, "4.3.0", "input/output error"}},
    {EX_TEMPFAIL, {451, "4.3.0", "temporary failure"}},
    {EX_PROTOCOL, {451, "4.5.0", "remote protocol error"}},
    {EX_NOPERM, {554, "5.7.1", "permission denied"}},
    {EX_CONFIG, {451, "4.3.5", "delivery configuration error"}},
};

}  // namespace

ExitReply reply_for_exit(int exit_status) {
    for (const auto& row : kTable)
        if (row.exit_status == exit_status) return row.reply;
    return {554, "5.3.0", "unknown delivery failure"};
}

ExitReply reply_for_wait_status(int wait_status) {
    if (WIFEXITED(wait_status)) return reply_for_exit(WEXITSTATUS(wait_status));
    return {451, "4.3.0", "delivery program killed"};
}

int exit_for_reply(int code) {
    if (code >= 200 && code < 300) return EX_OK;
    if (code >= 400 && code < 500) return EX_TEMPFAIL;
    return EX_UNAVAILABLE;
}

bool exit_is_temporary(int exit_status) { return reply_for_exit(exit_status).code / 100 == 4; }

}  // namespace orou::proto
