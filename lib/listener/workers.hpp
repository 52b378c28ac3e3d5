// A pool of worker processes on a listening socket, Postfix local(8)'s
// shape: each worker accepts a connection, serves it to its end, and
// accepts the next, so a connection costs no fork of its own.  The
// process given the socket (systemd Accept=no, inetd "wait", the
// orouboros listener) becomes the pool's master: it keeps `workers` idle
// ones ready (forking a new one when a connection takes one), at most
// `max_workers` in all (a connection that waits a second beyond them hears
// busy_reply), and
// replaces each that ends: after max_use connections, after max_idle
// idle while more than `workers` are, or killed (its client's connection
// just closes).  Workers that keep dying are replaced ever more slowly
// (restart_delay), never in a tight loop.
//
// Each connection starts from a clean state: the handler gets nothing of
// the previous connection but what it keeps itself (build the session's
// state inside the handler).  SIGTERM or SIGINT stops the pool: each
// worker finishes its connection and exits, killed after `grace`;
// SIGQUIT lets them finish however long they take.  SIGHUP is ignored.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "log/log.hpp"

namespace orou::listener {

struct Pool {
    std::string program;                 // names its fatal errors, e.g. "orouboros-mbox-deliver"
    std::string label;                   // the log's mode
    std::string busy_reply;              // told to a connection beyond max_workers; "": closed unanswered
    int workers = 2;                     // idle workers kept ready
    int max_workers = 100;               // workers at once, busy or idle
    int max_use = 100;                   // connections a worker serves before it exits
    std::chrono::seconds max_idle{100};  // an idle worker beyond `workers` exits after this
    std::chrono::seconds grace{10};      // what connections get to finish at SIGTERM
};

// Serves one connection in a worker (SIGPIPE ignored); its status is
// logged when it is not 0.  An exception is caught at the worker's edge.
using ConnectionHandler = std::function<int(int conn)>;

// Serves `fd` (made close-on-exec and non-blocking) with a pool of workers
// until SIGTERM or SIGINT, or until the workers have ended after SIGQUIT.
// Logs one line per connection, with the worker's pid and how many it
// has served.  Returns a sysexits status.
int serve_workers(int fd, const Pool& how, log::Logger& log, const ConnectionHandler& handler);

// How long a worker waits to be replaced after `failures` workers in a
// row died (killed, or a failed exit before serving a connection): none
// for the first, then from 100 ms doubling to 10 s.
std::chrono::milliseconds restart_delay(int failures);

}  // namespace orou::listener
