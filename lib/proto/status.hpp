// The one table between process exit statuses (sysexits.h), SMTP/LMTP reply
// codes and the checkpassword convention (Postfix's sys_exits.c shape).
#pragma once

#include <string>

namespace orou::proto {

struct ExitReply {
    int code;            // SMTP reply code
    const char* status;  // enhanced status code
    const char* text;
};

// Exit status (or wait status, see below) -> the reply to give a client.
// 0 -> 250 2.0.0, EX_TEMPFAIL -> 451 4.3.0, EX_NOUSER -> 550 5.1.1, other -> 554 5.3.0.
ExitReply reply_for_exit(int exit_status);

// A raw wait status: killed by a signal is temporary.
ExitReply reply_for_wait_status(int wait_status);

// Reply code -> exit status: 2xx -> 0, 4xx -> EX_TEMPFAIL, 5xx -> EX_UNAVAILABLE.
int exit_for_reply(int code);

// True when a sysexits status means "try again later".
bool exit_is_temporary(int exit_status);

// checkpassword(8) exit statuses.
inline constexpr int kCheckpwOk = 0;
inline constexpr int kCheckpwRefused = 1;
inline constexpr int kCheckpwMisuse = 2;
inline constexpr int kCheckpwTemporary = 111;

}  // namespace orou::proto
