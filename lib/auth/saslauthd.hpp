// The saslauthd wire format between smtpd and authcheck.
//
// A counted string is a 2-byte big-endian length, then that many bytes.
// Request: four counted strings: login, password, service, realm.
// Answer:  one counted string: "OK" (the password is right) or
//          "NO <reason>" (refused).  When authcheck has no verdict (it
//          cannot read the credentials file) it sends no answer and closes:
//          EOF, a timeout or a malformed answer all mean temporary failure.
// Each string is capped at kMaxCounted bytes.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "auth/result.hpp"
#include "auth/secret.hpp"
#include "io/stream.hpp"

namespace orou::auth {

inline constexpr std::size_t kMaxCounted = 1024;
inline constexpr std::string_view kAnswerOk = "OK";
inline constexpr std::string_view kAnswerRefused = "NO authentication failed";

enum class FrameStatus {
    Ok,
    Eof,  // closed before the first byte
    Timeout,
    Malformed,  // closed part way, or a length over kMaxCounted
};

// Fills buf exactly (reading no byte past it).
FrameStatus read_exact(io::Stream& in, std::span<char> buf, io::Deadline deadline);

FrameStatus read_counted(io::Stream& in, std::string& out, io::Deadline deadline);
FrameStatus read_counted(io::Stream& in, Secret& out, io::Deadline deadline);

struct Request {
    std::string login;
    Secret password;
    std::string service, realm;
};

// Eof only when the stream ends before a request starts.
FrameStatus read_request(io::Stream& in, Request& out, io::Deadline deadline);

// Throws std::length_error for a field over kMaxCounted (callers check
// first), SysError when the peer is gone.  The password is framed in a
// Secret buffer and written in one piece.
void write_request(io::Stream& out, std::string_view login, const Secret& password, std::string_view service,
                   std::string_view realm);

void write_answer(io::Stream& out, std::string_view answer);

// "OK..." -> Ok, "NO..." -> Refused, anything else (EOF, timeout, junk) -> TempFail.
AuthResult read_answer(io::Stream& in, io::Deadline deadline);

}  // namespace orou::auth
