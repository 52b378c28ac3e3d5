// Every fixed reply of orouboros-smtpd, with its enhanced status code
// (RFC 3463).  Nobody types a reply code anywhere else.
#pragma once

#include <string>

#include "smtp/reply.hpp"

namespace orou::smtpd::replies {

using smtp::Reply;

inline Reply greeting(const std::string& host) { return {220, "", host + " ESMTP Orouboros"}; }
inline Reply helo(const std::string& host) { return {250, "", host}; }
inline Reply bye(const std::string& host) { return {221, "2.0.0", host + " closing connection"}; }
inline Reply accepted(const std::string& id) { return {250, "2.0.0", "message accepted, id=" + id}; }

inline const Reply ok{250, "2.0.0", "Ok"};
inline const Reply sender_ok{250, "2.1.0", "sender ok"};
inline const Reply start_data{354, "", "End data with <CR><LF>.<CR><LF>"};
inline const Reply ready_tls{220, "2.0.0", "Ready to start TLS"};
inline const Reply auth_ok{235, "2.7.0", "Authentication successful"};
inline const Reply vrfy{252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"};
inline const Reply help{214, "2.0.0", "See RFC 5321; commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP QUIT"};

inline const Reply timeout{421, "4.4.2", "timeout, closing connection"};
inline const Reply too_many_errors{421, "4.7.0", "too many errors, closing connection"};
inline const Reply too_many_junk_commands{421, "4.7.0", "too many commands that do nothing, closing connection"};
inline const Reply too_many_auth_failures{421, "4.7.0", "too many authentication failures, closing connection"};
inline const Reply not_smtp{421, "4.7.0", "this is an SMTP server, closing connection"};
inline const Reply internal_error{421, "4.3.0", "internal error, closing connection"};
inline const Reply too_many_connections{421, "4.3.2", "too many connections, try again later"};
inline const Reply too_many_from_client{421, "4.7.0", "too many connections from your address, try again later"};
inline const Reply tls_unavailable{454, "4.7.0", "TLS not available"};
inline const Reply auth_temporary{454, "4.7.0", "temporary authentication failure"};
inline const Reply too_many_rcpts{452, "4.5.3", "too many recipients"};
inline const Reply other_route{452, "4.5.3", "recipient takes another route, send it in a new transaction"};
inline Reply route_unconfigured(const std::string& route) {
    return {451, "4.3.5", "no " + route + " route configured"};
}

inline const Reply bad_command{500, "5.5.2", "command not recognized"};
inline const Reply line_too_long{500, "5.5.2", "line too long"};
inline const Reply bare_line_end{500, "5.5.2", "bare CR or LF not allowed (RFC 5321 2.3.8)"};
inline const Reply nul_byte{500, "5.5.2", "NUL byte not allowed"};
inline const Reply auth_line_too_long{500, "5.5.6", "authentication exchange line too long"};
inline const Reply need_domain{501, "5.5.4", "EHLO/HELO requires a domain"};
inline const Reply no_args{501, "5.5.4", "no arguments allowed"};
inline const Reply bad_sender_syntax{501, "5.1.7", "bad sender address syntax"};
inline const Reply bad_rcpt_syntax{501, "5.1.3", "bad recipient address syntax"};
inline const Reply path_syntax{501, "5.5.4", "syntax: MAIL FROM:<address> / RCPT TO:<address>"};
inline const Reply bad_param{555, "5.5.4", "unsupported or malformed parameter"};
inline const Reply bad_base64{501, "5.5.2", "cannot decode the authentication data"};
inline const Reply auth_cancelled{501, "5.7.0", "authentication cancelled"};
inline const Reply auth_unavailable{502, "5.5.1", "authentication not available"};
inline const Reply need_ehlo{503, "5.5.1", "send EHLO first"};
inline const Reply need_mail{503, "5.5.1", "need MAIL first"};
inline const Reply need_rcpt{503, "5.5.1", "need RCPT first"};
inline const Reply nested_mail{503, "5.5.1", "sender already given"};
inline const Reply already_auth{503, "5.5.1", "already authenticated"};
inline const Reply auth_in_tx{503, "5.5.1", "AUTH not allowed during a transaction"};
inline const Reply already_tls{503, "5.5.1", "TLS already active"};
inline const Reply bad_mechanism{504, "5.5.4", "unrecognized authentication mechanism"};
inline const Reply auth_required{530, "5.7.0", "authentication required"};
inline const Reply auth_failed{535, "5.7.8", "authentication credentials invalid"};
inline const Reply authzid_refused{535, "5.7.8", "authorization identity must be empty or the user name"};
inline const Reply encryption_required{538, "5.7.11", "encryption required for requested authentication mechanism"};
inline const Reply relay_unconfigured{550, "5.7.1", "no relay route configured"};
inline const Reply sender_not_owned{553, "5.7.1", "sender address not owned by the authenticated user"};
inline const Reply message_too_big{552, "5.3.4", "message size exceeds fixed maximum message size"};
inline const Reply relay_denied{554, "5.7.1", "relay denied"};
inline const Reply sender_blocked{554, "5.7.1", "sender address rejected"};
inline const Reply no_valid_rcpts{554, "5.5.1", "no valid recipients"};
inline const Reply data_bare_line_end{554, "5.6.0", "message has bare CR or LF (RFC 5321 2.3.8), not accepted"};
inline const Reply data_line_too_long{554, "5.6.0", "message has a line that is too long"};
inline const Reply data_nul{554, "5.6.0", "message has a NUL byte"};
inline const Reply mail_loop{554, "5.4.6", "mail loop: this transaction has been here before"};
inline const Reply too_many_hops{554, "5.4.6", "too many hops (Received: headers), mail loop?"};
inline const Reply header_too_big{552, "5.3.4", "message header section exceeds the fixed maximum size"};
inline const Reply next_hop_confused{451, "4.4.2", "next hop did not take the message, try again later"};
inline const Reply connection_lost{421, "4.4.2", "connection lost"};  // for the log: the client is gone

}  // namespace orou::smtpd::replies
