// The next hop stays private: a client that has not authenticated hears a
// next hop's code and enhanced code with a fixed text, never the home
// server's name, address, port, certificate or its own words; the owner
// (authenticated) hears the reply as it came.  The log always has it.
#pragma once

#include "smtp/reply.hpp"

namespace orou::smtpd {

// The reply a client hears for a reply of the next hop (or of our own
// stage, whose texts may name the next hop).  A reply without an enhanced
// code gets the class's X.0.0.
[[nodiscard]] smtp::Reply for_client(const smtp::Reply& from_next_hop, bool owner);

}  // namespace orou::smtpd
