// orouboros-smtpd as a whole: what main hands over, and the one call.
#pragma once

#include <string>

#include "listener/clients.hpp"
#include "smtpd/config.hpp"

namespace orou::smtpd {

struct Options {
    Config config;
    std::string cert_file, key_file;
    std::string auth_spec;
    std::string log_target = "STDERR";
    std::string log_level = "INFO";
    std::chrono::seconds auth_timeout{30};
    int max_connections = 100;          // sessions at once, when given a listening socket
    listener::ClientLimits per_client;  // and from one client address
    int prefork = 2;                    // sessions forked ahead, waiting for a connection
    std::string user;                   // started as root: run as this user once the key is loaded
    std::string chroot_dir;             // with user: confined to this directory
};

// Finds the connection (systemd's socket, else stdin/stdout), loads TLS and
// the auth checker, serves one session.  Given a listening socket instead,
// serves every connection on it, each in a forked child.  Returns a
// sysexits status.
int smtpd_main(const Options& options);

}  // namespace orou::smtpd
