// Reading a new password: one line from a file descriptor, or typed twice
// at /dev/tty with echo off.  Bounded: at most kMaxPasswordInput bytes.
#pragma once

#include <cstddef>

#include "auth/secret.hpp"

namespace orou::auth {

inline constexpr std::size_t kMaxPasswordInput = 1024;

// One line (the newline, and a CR before it, dropped); EOF ends the line
// too.  Throws ExitError(EX_DATAERR) for an empty or over-long line.
Secret read_password_line(int fd);

// Prompts "Password: " and "Retype password: " on /dev/tty with echo off.
// Throws ExitError: EX_NOINPUT without a terminal, EX_DATAERR when the two
// differ or are empty.
Secret ask_password_twice();

}  // namespace orou::auth
