// The open-relay probe of `orouboros --check-config`: the orouboros-smtpd
// the listener would start, with its real command line (domains, routes,
// limits), runs one session on a socketpair; unauthenticated, it is asked
// to take mail for a foreign domain in the ways an open relay is found
// out.  No stage is reached: a foreign recipient is refused before that.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace orou::cli {

struct ProbeStep {
    std::string command;  // "RCPT TO:<probe@relay-probe.invalid>"
    std::string reply;    // "554 5.7.1 relay denied", or what went wrong
    bool passed = false;  // a foreign recipient was refused (554 5.7.1 for the plain one)
};

// Runs the session; a step that did not pass means an open relay (or a
// session that never got so far).  Throws SysError when smtpd cannot be
// started.
std::vector<ProbeStep> probe_relay(const std::vector<std::string>& smtpd_argv, std::chrono::seconds timeout);

}  // namespace orou::cli
