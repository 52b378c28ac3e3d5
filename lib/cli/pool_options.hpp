// The options of a program that serves a listening socket with a pool of
// workers (listener/workers.hpp): orouboros-mbox-deliver --lmtp,
// orouboros-forward --lmtp, orouboros-authcheck.  Declared once for all.
#pragma once

#include <string>

#include "cli/options.hpp"
#include "listener/workers.hpp"

namespace orou::cli {

// --max-connections (workers at once), --workers (idle ones kept ready),
// --max-use (connections a worker serves before it is replaced); each at
// least 1, checked as the options are parsed.
void add_pool_options(po::options_description& d);

// The options of every LMTP stage, declared once: --max-message-size,
// --idle-timeout, --session-timeout, --log, --log-level, and the pool's.
void add_stage_options(po::options_description& d);

// The pool those options describe, for `program`.
listener::Pool pool_from(const po::variables_map& vm, std::string program);

}  // namespace orou::cli
