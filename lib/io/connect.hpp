// Opens the stage a spec names (io/stage_spec.hpp), as a pair of fds:
//   exec:/path/prog args   spawned (no shell), talking over two pipes
//   unix:/path/to.sock     a unix stream socket
//   lmtp:host:port         a TCP connection (also tcp:host:port)
#pragma once

#include <string_view>

#include "base/fd.hpp"
#include "io/stage_spec.hpp"

namespace orou::io {

struct Connection {
    Fd in, out;
    Child child;  // for exec: the spawned stage
    // Tells the peer that nothing more comes (EOF on its input).
    void close_write();
};

// Throws ConfigError when the spec is malformed (checked at start-up).
void check_spec(std::string_view spec);

// Throws SysError when the stage cannot be reached, ConfigError on a bad spec.
Connection connect_spec(std::string_view spec);

// The same for a spec parsed already: throws SysError only.
Connection connect_stage(const StageSpec& spec);

}  // namespace orou::io
