// The replies a filter stage makes of its own (filter/filter.hpp); the
// rest are the next stage's, passed through.
#pragma once

#include "smtp/reply.hpp"

namespace orou::filter::replies {

using smtp::Reply;

inline const Reply spool_failed{451, "4.3.0", "cannot keep the message, try again later"};
inline const Reply next_hop_confused{451, "4.3.0", "next hop did not take the message, try again later"};
inline const Reply no_next_hop{451, "4.4.1", "next hop unavailable, try again later"};

}  // namespace orou::filter::replies
