#include "forward/exit_status.hpp"

#include <sysexits.h>

#include "proto/status.hpp"

namespace orou::forward {

int exit_for_upstream(const smtp::Reply& reply) {
    const int status = proto::exit_for_reply(reply.code);
    if (status != EX_UNAVAILABLE) return status;
    if (reply.status == "5.1.1") return EX_NOUSER;
    if (reply.status == "5.1.2" || reply.status == "5.1.10") return EX_NOHOST;
    return status;
}

}  // namespace orou::forward
