// Handing an accepted connection to a session forked ahead of it (the
// listener's --prefork): the parent accepts, counts the client against its
// limits, and passes the descriptor, with the client's address and port,
// over a socketpair to an idle child, which has waited for it since it was
// forked.  So a greeting never waits on a fork, and the limits stay where
// every connection is seen, in the one process that accepts.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "base/fd.hpp"

namespace orou::listener {

struct Handoff {
    Fd conn;
    std::string host, port;
};

// A connected pair (close-on-exec): first the parent's end, second the child's.
std::pair<Fd, Fd> handoff_pair();

// Sends `conn` with the client's address and port; false when the child
// is gone (its end closed).
[[nodiscard]] bool send_connection(int sock, int conn, const std::string& host, const std::string& port);

// Waits for a connection on the child's end; nullopt when the parent
// closed its end (the child is no longer wanted) or sent nothing usable.
std::optional<Handoff> receive_connection(int sock);

}  // namespace orou::listener
