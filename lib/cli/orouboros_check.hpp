// What the listener checks before it binds a port, and `orouboros
// --check-config`, which runs the same checks, reports every problem at
// once, prints the route of each domain and probes for an open relay.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/orouboros_raw.hpp"

namespace orou::cli {

// The options that do not go together or are out of range (EX_USAGE).
std::vector<std::string> usage_problems(const RawListenerOptions& r);

// Everything else the listener or a part would refuse, all of it: a
// domain routed nowhere, a missing program, a certificate that does not
// load, each stage's options as the stage itself reads them, started as
// root (`separated`) each missing user and each file a part's user cannot
// reach; then, with `probe`, the relay probe (cli/relay_probe.hpp) of the
// sessions.
std::vector<Problem> start_problems(const RawListenerOptions& r, bool separated, bool probe = true);

// One line a route: each domain's (local, forward: the next hop and its
// TLS policy), then that of every other domain (relay, or refused).
void print_routes(const RawListenerOptions& r, std::ostream& out);

// Whether argv asks for --check-config.
bool check_config_requested(int argc, char** argv);

// orouboros --check-config: reads the command line and the configuration
// as the listener would, prints the routes and every problem; returns 0
// when there is none, EX_CONFIG otherwise.
int check_orouboros(int argc, char** argv, std::ostream& out);

}  // namespace orou::cli
