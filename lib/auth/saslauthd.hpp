// The saslauthd wire format between smtpd and authcheck.
//
// A counted string is a 2-byte big-endian length, then that many bytes.
// Request: four counted strings: login, password, service, realm.
// Answer:  one counted string: "OK" (the password is right) or
//          "NO <reason>" (refused).  When authcheck has no verdict (it
//          cannot read the credentials file) it sends no answer and closes:
//          EOF, a timeout or a malformed answer all mean temporary failure.
//          orouboros-authcheck's "OK" goes on with " sender=ENTRY" for each
//          sender mapped to the user (auth/senders.hpp); other words after
//          "OK" are ignored, so a plain saslauthd's "OK" maps none.
// Each string is capped at kMaxCounted bytes, an answer at kMaxAnswer (a
// Cyrus SASL client reads its first 1023 bytes, enough for "OK").
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "auth/result.hpp"
#include "auth/secret.hpp"
#include "auth/senders.hpp"
#include "io/stream.hpp"

namespace orou::auth {

inline constexpr std::size_t kMaxCounted = 1024;
inline constexpr std::size_t kMaxAnswer = 32768;
inline constexpr std::string_view kSenderWord = "sender=";
static_assert(2 + kMaxSenders * (1 + kSenderWord.size() + kMaxSenderLength) <= kMaxAnswer);
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

FrameStatus read_counted(io::Stream& in, std::string& out, io::Deadline deadline, std::size_t max = kMaxCounted);
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

// "OK", then " sender=ENTRY" for each of senders.
std::string ok_answer(std::span<const std::string> senders);

// At most kMaxAnswer bytes (std::length_error beyond).
void write_answer(io::Stream& out, std::string_view answer);

// "OK..." -> Ok with its senders, "NO..." -> Refused, anything else (EOF,
// timeout, junk, a sender= word that is not a valid entry, more than
// kMaxSenders) -> TempFail.
Verdict parse_answer(std::string_view answer);
Verdict read_answer(io::Stream& in, io::Deadline deadline);

}  // namespace orou::auth
