// The replies of orouboros-mbox-deliver's LMTP server beyond those every
// LMTP server makes (lmtp/replies.hpp): a recipient's own verdict and
// result (RFC 2033, RFC 3463 enhanced codes).  Nobody types a reply code
// anywhere else in lib/deliver.
#pragma once

#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace orou::deliver::replies {

using smtp::Reply;

inline const Reply rcpt_ok{250, "2.1.5", "recipient ok"};

// Per recipient, after DATA.
inline Reply delivered(std::string_view rcpt) { return {250, "2.0.0", "<" + std::string(rcpt) + "> delivered"}; }
inline Reply mailbox_unavailable(std::string_view rcpt) {
    return {451, "4.3.0", "<" + std::string(rcpt) + "> mailbox temporarily unavailable"};
}
// Postfix's local(8) rule: a mailbox that is a symbolic link, not a regular
// file, or a file with a second hard link is not written, and the sender retries.
inline Reply unsafe_mailbox(std::string_view rcpt) {
    return {451, "4.2.0", "<" + std::string(rcpt) + "> mailbox is a link or not a regular file, not written"};
}
inline Reply disk_full(std::string_view rcpt) {
    return {452, "4.3.1", "<" + std::string(rcpt) + "> insufficient system storage"};
}
inline Reply bad_mailbox(std::string_view rcpt, std::string_view why) {
    return {550, "5.1.3", "<" + std::string(rcpt) + "> refused: " + std::string(why)};
}

}  // namespace orou::deliver::replies
