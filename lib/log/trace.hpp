// Following one message through the programs: orouboros-smtpd names each
// message "<sid>.<n>" in the Received header it prepends ("id 6f3a...9c.1"),
// and the next stage logs that id as its msgid.
#pragma once

#include <string>
#include <string_view>

namespace orou::log {

// The id clause of the message's first Received header ("" when there is
// none, or when it is not a plain token of letters, digits, '.', '-' and
// '_' of at most 64 characters).  Comments in parentheses are skipped, so
// a client's EHLO name cannot pose as the id.
std::string received_id(std::string_view message);

}  // namespace orou::log
