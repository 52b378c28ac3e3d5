// orouboros-forward: its options, its configuration, and the one call its
// main makes.
#pragma once

#include <string>

#include "cli/options.hpp"
#include "forward/connector.hpp"
#include "forward/sendmail_mode.hpp"
#include "forward/smtp_client.hpp"
#include "listener/workers.hpp"
#include "lmtp/server.hpp"
#include "log/log.hpp"

namespace orou::forward {

inline constexpr cli::Spec kSpec{"orouboros-forward", "forward",
                                 "orouboros-forward (--host HOST [--port N] | --mx [--mx-port N]) [options]\n"
                                 "           (--lmtp | -f SENDER RCPT...)",
                                 "host mx|auth-password-file auth-credential|tls-ca tls-fingerprint",
                                 "timeout=upstream-timeout"};

struct AuthConfig {
    std::string user;           // "" for no AUTH
    std::string password_file;  // the password: this file's first line,
    std::string credential;     // or $CREDENTIALS_DIRECTORY/credential
    bool allow_plaintext = false;
};

struct Config {
    Destination destination;
    std::string resolver;       // "" for the system configuration
    std::string dnssec_anchor;  // "" for no DNSSEC validation
    bool dane = false;          // MX hosts' TLSA records (on with --dnssec-anchor)
    bool mta_sts = false;       // recipient domains' MTA-STS policies (on with --dnssec-anchor)
    StsConfig sts;
    TlsMode tls = TlsMode::StartTls;
    tls::Verify verify = tls::Verify::Chain;
    std::string tls_ca, tls_fingerprint, tls_name;
    AuthConfig auth;
    Timeouts timeouts;
    std::string helo;
    bool lmtp = false;
    lmtp::Limits front;       // the LMTP side's limits and timeouts
    listener::Pool pool;      // the workers that serve a listening socket
    SendmailRequest request;  // the sendmail convention's sender and recipients
    std::string log_target = "STDERR";
    log::Level log_level = log::Level::Info;
};

cli::po::options_description options();
cli::po::positional_options_description positional();

// The configuration from parsed options; throws ExitError(EX_USAGE) for a
// usage error (e.g. neither or both of --host and --mx).
Config config_from(const cli::po::variables_map& vm);

// Runs the program: an LMTP session (on the socket systemd passed, or on
// stdin/stdout; given a listening socket, one forked session for each of
// its connections), or one sendmail-style delivery.  Returns a sysexits
// status.
int run(const Config& config);

}  // namespace orou::forward
