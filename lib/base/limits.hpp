// Defaults that more than one program shares, declared once.
#pragma once

#include <cstddef>

namespace orou {

// The largest message taken by default, bytes (orouboros.conf(5):
// max-message-size).  The stages after orouboros-smtpd are given a little
// more by the listener, for the Received header smtpd adds.
inline constexpr std::size_t kDefaultMaxMessage = 25u << 20;

}  // namespace orou
