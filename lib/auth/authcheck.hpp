// orouboros-authcheck: says yes or no to a user name and password, from
// the credentials file.  Two front ends over one Authenticator: the
// saslauthd protocol (stdin/stdout, or the connection systemd passes with
// Accept=yes) and djb's checkpassword interface (fd 3).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/result.hpp"
#include "auth/secret.hpp"
#include "auth/throttle.hpp"
#include "base/fd.hpp"
#include "io/stream.hpp"
#include "listener/workers.hpp"
#include "log/log.hpp"

namespace orou::auth {

inline constexpr int kMaxRequestsPerConnection = 100;
inline constexpr std::size_t kMaxCheckpasswordInput = 512;

struct AuthcheckOptions {
    std::string credentials = "creds.json";
    std::string log_target = "STDERR";
    std::string log_level = "INFO";
    std::chrono::seconds timeout{60};
    std::chrono::milliseconds fail_delay{1000};
    std::string state_dir;                            // "": no throttling across connections
    std::chrono::milliseconds max_fail_delay{15000};  // the throttle's cap
    bool checkpassword = false;
    std::vector<std::string> program;  // checkpassword: run on success
    listener::Pool pool;               // the workers that serve a listening socket
};

class Authenticator {
public:
    // Borrows log and throttle (null: no throttling across connections).
    Authenticator(std::string credentials_path, log::Logger& log, std::chrono::milliseconds fail_delay,
                  Throttle* throttle = nullptr)
        : path_(std::move(credentials_path)), log_(&log), fail_delay_(fail_delay), throttle_(throttle) {}

    // Waits for the client's turn (see throttle.hpp; SysError EAGAIN when
    // its failures are too many for now: no verdict), reads the
    // credentials file afresh (throws ConfigError when it cannot), logs one
    // line (user escaped, never the password) and, on refusal, counts the
    // failure against the client and waits fail_delay before returning.
    // Ok (with the senders mapped to the user) or Refused.
    [[nodiscard]] Verdict check(std::string_view user, const Secret& password, std::string_view service,
                                std::string_view client = {});

private:
    void wait_turn(std::string_view client);

    std::string path_;
    log::Logger* log_;
    std::chrono::milliseconds fail_delay_;
    Throttle* throttle_;
};

// Answers saslauthd requests until EOF (0), at most kMaxRequestsPerConnection;
// a peer silent for `timeout` after its first request is done (0).
// Throws ExitError: EX_TEMPFAIL on a timeout before one, EX_PROTOCOL on a malformed
// request.  A failure to read the credentials file escapes as ConfigError
// before any answer is written.
int serve_saslauthd(io::Stream& peer, Authenticator& auth, std::chrono::seconds timeout);

// Reads "user\0password\0timestamp\0" (at most 512 bytes) from input.
// Refused: kCheckpwRefused.  Right: runs program (never returns) or, when
// it is empty, returns kCheckpwOk.  Misuse: throws ExitError(kCheckpwMisuse).
int serve_checkpassword(Fd input, Authenticator& auth, std::chrono::seconds timeout,
                        const std::vector<std::string>& program);

// The whole program: picks the mode, maps failures to its exit statuses.
int authcheck_main(const AuthcheckOptions& opt);

}  // namespace orou::auth
