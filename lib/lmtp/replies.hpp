// The replies every LMTP server of the suite makes (RFC 2033, RFC 3463
// enhanced codes).  The programs add their own per-recipient replies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "smtp/mail_params.hpp"
#include "smtp/reply.hpp"
#include "smtp/xforward.hpp"

namespace orou::lmtp::replies {

using smtp::Reply;

inline Reply greeting(std::string_view hostname, std::string_view program) {
    return {220, "", std::string(hostname) + " LMTP " + std::string(program)};
}
inline Reply lhlo(std::string_view hostname, std::size_t max_message, bool xforward = false) {
    return {250, "",
            std::string(hostname) + "\nPIPELINING\nENHANCEDSTATUSCODES\n8BITMIME\n" + smtp::kLoopExtension +
                (xforward ? std::string("\n") + smtp::kXforwardOffer : "") + "\nSIZE " + std::to_string(max_message)};
}

inline const Reply ok{250, "2.0.0", "ok"};
inline const Reply sender_ok{250, "2.1.0", "sender ok"};
inline const Reply start_data{354, "", "end data with <CR><LF>.<CR><LF>"};
inline const Reply bye{221, "2.0.0", "bye"};

// A message refused as it is read, for every recipient.
inline const Reply message_too_big{552, "5.3.4", "message too big"};
inline const Reply bare_cr_or_lf{554, "5.6.0", "bare CR or LF in the message (RFC 5321 2.3.8)"};
inline const Reply nul_in_message{554, "5.6.0", "NUL byte in the message"};
inline const Reply too_many_hops{554, "5.4.6", "too many hops (Received: headers), mail loop?"};
inline const Reply header_too_big{552, "5.3.4", "message header section exceeds the fixed maximum size"};
inline const Reply data_line_too_long{554, "5.6.0", "line too long in the message"};

// Refused commands.
inline const Reply size_exceeded{552, "5.3.4", "message size exceeds the fixed limit"};
inline const Reply too_many_rcpts{452, "4.5.3", "too many recipients"};
inline const Reply need_lhlo{503, "5.5.1", "send LHLO first"};
inline const Reply nested_mail{503, "5.5.1", "sender already given"};
inline const Reply xforward_in_transaction{503, "5.5.1", "XFORWARD must come before MAIL"};
inline const Reply need_mail{503, "5.5.1", "send MAIL first"};
inline const Reply need_rcpt{503, "5.5.1", "no valid recipients"};
inline const Reply unknown_command{500, "5.5.1", "command not recognized"};
inline const Reply line_too_long{500, "5.5.2", "line too long"};
inline const Reply bad_line{500, "5.5.2", "bare CR or LF, or NUL, in a command"};
inline const Reply syntax_error{501, "5.5.4", "syntax error in parameters"};
inline const Reply bad_sender{501, "5.1.7", "bad sender address syntax"};
inline const Reply bad_rcpt{501, "5.1.3", "bad recipient address syntax"};
inline const Reply bad_param{555, "5.5.4", "parameter not recognized"};

// Ends of a session.
inline const Reply timeout{421, "4.4.2", "timeout, closing"};
inline const Reply too_many_errors{421, "4.7.0", "too many errors, closing"};
inline const Reply local_error{421, "4.3.0", "local error, closing"};
inline const Reply busy{421, "4.3.2", "too many connections, try again later"};

}  // namespace orou::lmtp::replies
