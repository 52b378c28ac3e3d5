// An upstream's reply as a sysexits.h status, for the sendmail convention:
// the proto::exit_for_reply() table (2xx 0, 4xx EX_TEMPFAIL, 5xx
// EX_UNAVAILABLE), made finer by the enhanced status code the way
// proto::reply_for_exit() reads it back: 5.1.1 (no such user) is
// EX_NOUSER, 5.1.2 and 5.1.10 (no such domain, null MX) are EX_NOHOST.
#pragma once

#include "smtp/reply.hpp"

namespace orou::forward {

int exit_for_upstream(const smtp::Reply& reply);

}  // namespace orou::forward
