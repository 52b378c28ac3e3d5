// The command line of `orouboros`, the original program's: it becomes the
// listener's ports and the orouboros-smtpd command line run per connection.
#pragma once

#include <string>
#include <vector>

#include "listener/listener.hpp"

namespace orou::cli {

struct ListenerOptions {
    std::vector<listener::Port> ports;
    listener::Limits limits;
    std::string log_target = "STDERR";
    std::string log_level = "INFO";
};

// Bad usage prints a message and exits EX_USAGE; a missing program exits
// EX_UNAVAILABLE and a certificate that does not load EX_CONFIG, before
// anything listens.
ListenerOptions parse_orouboros(int argc, char** argv);

}  // namespace orou::cli
