// The replies of orouboros-verify.
#pragma once

#include "smtp/reply.hpp"

namespace orou::verify::replies {

using smtp::Reply;

inline const Reply dmarc_reject{550, "5.7.1", "rejected by the sender domain's DMARC policy"};
inline const Reply verify_failed{451, "4.3.0", "cannot check the message now, try again later"};

}  // namespace orou::verify::replies
