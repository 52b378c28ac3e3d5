// The options of `orouboros` as given, shared by the two files that parse
// them and turn them into orouboros-smtpd command lines.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace orou::cli {

struct Upstream {  // the home server (forward) or the smarthost (relay)
    std::string host, port, tls, ca, fingerprint, user, password_file;
};

struct RawListenerOptions {
    std::string host = "127.0.0.1", port = "2500", ssl_port, cert, key, hostname;
    std::vector<std::string> delivery, forward_domains;
    bool local = false, forward = false, relay_mx = false;
    Upstream home{"", "", "implicit", "", "", "", ""};
    Upstream smarthost{"", "", "starttls", "", "", "", ""};
    std::string mboxdir, maildir, wmaildir, creds = "creds.json";
    std::string blocklist, domain_blocklist, log = "STDERR", level = "INFO", libexec;
    int max_connections = 100;
    std::size_t max_message = 25u << 20;
};

// The orouboros-smtpd command line for one port (tls: none, starttls, implicit).
std::vector<std::string> smtpd_argv(const RawListenerOptions& r, const std::string& tls);

}  // namespace orou::cli
