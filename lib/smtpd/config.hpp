// Everything one orouboros-smtpd session is told: built in main from the
// command line and the configuration file, built directly by tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "base/limits.hpp"
#include "route/next_hop.hpp"
#include "route/router.hpp"

namespace orou::smtpd {

enum class TlsMode { None, StartTls, Implicit };

struct Limits {
    std::size_t max_line = 1000;        // a command line, without CRLF
    std::size_t max_text_line = 10000;  // a message line, without CRLF
    std::size_t max_message = kDefaultMaxMessage;
    std::size_t max_header = 256u << 10;  // the header section of a message
    int max_hops = 50;                    // Received: headers, then 554 5.4.6 (a mail loop)
    std::size_t max_rcpts = 100;
    int max_errors = 20;                          // then 421 and close (Postfix's smtpd_hard_error_limit)
    int soft_errors = 10;                         // past this, each error's reply waits (smtpd_soft_error_limit)
    std::chrono::milliseconds error_sleep{1000};  // the first wait; each next one a step longer
    std::chrono::milliseconds greet_wait{0};      // for input before the greeting (postscreen_greet_wait)
    int max_junk = 100;  // NOOP, RSET, VRFY, HELP; then 421 and close (smtpd_junk_command_limit)
    int max_auth_failures = 3;
    std::chrono::seconds idle{300};
    std::chrono::seconds session{1800};
};

struct Config {
    std::string hostname = "localhost";
    TlsMode tls = TlsMode::None;
    bool allow_plaintext_auth = false;    // AUTH outside TLS
    bool require_auth = false;            // submission: AUTH before MAIL
    bool keep_submitter_address = false;  // Received: names an authenticated client
    Limits limits;
    route::Domains domains;
    std::string local_route;    // spec of the local delivery stage
    std::string forward_route;  // spec of the route to the home server
    std::string relay_route;    // spec of the outbound route
    route::HopTimeouts hop_timeouts;
    std::vector<std::string> blocked_senders;  // addresses, lower case
    std::vector<std::string> blocked_sender_domains;
};

// Where the client is: from REMOTE_ADDR/REMOTE_PORT or the socket.
struct Peer {
    std::string address = "unknown";
    std::string port;
    bool is_socket = false;
    int in_fd = -1, out_fd = -1;  // for TLS; -1: no TLS possible (tests)
};

}  // namespace orou::smtpd
