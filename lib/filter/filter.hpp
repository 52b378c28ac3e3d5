// An LMTP filter stage: LMTP in from the stage before (orouboros-smtpd, or
// another filter), LMTP out to the next (`--next SPEC`, as smtpd names its
// routes), with a Filter that looks at each message in between.
//
//   smtpd --LMTP--> [ filter::Server | Filter ] --LMTP--> next stage
//
// The transaction goes on as it arrives: LHLO is answered here; at MAIL
// the next stage is connected (once per session, reused after a
// transaction), given the client's XFORWARD facts when it offers XFORWARD,
// and given MAIL; each RCPT goes on at once and the client hears the next
// stage's own verdict on it, so a recipient that the far end refuses is
// refused at RCPT time.  DATA is answered 354 here and the message spooled
// (an unlinked temporary file, never held in memory).  After the final dot
// the Filter sees the envelope and the spooled message and returns a
// Verdict:
//   - a refusal: every recipient gets that reply, the next stage's
//     transaction is reset (RSET) and nothing of the message goes on;
//   - otherwise header fields to put on top (`prepend`) and which header
//     fields to leave out (`drop`); the message goes on with them, and
//     the client gets the next stage's replies after its final dot, one
//     per recipient, in order, as they came.
// A next stage that cannot be reached is 4xx at MAIL; one that breaks
// later is 4xx for what it has not answered.  Nothing is accepted here that
// the next stage has not accepted.
//
// XFORWARD (NAME ADDR PROTO HELO IDENT, smtp/xforward.hpp) is offered in
// LHLO and passed on to a next stage that offers it.  MAIL's AUTH=
// parameter (RFC 4954) is the login of a client that authenticated to
// smtpd; it reaches the Filter as Envelope::auth and goes on to a next
// stage that offers XFORWARD.  Both are trusted as given: the filter's
// socket must be reachable by smtpd alone.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/message.hpp"
#include "smtp/reply.hpp"
#include "smtp/xforward.hpp"

namespace orou::filter {

// What the Filter is told of a transaction.
struct Envelope {
    std::string sender;              // MAIL FROM, "" for the null sender
    std::string auth;                // MAIL's AUTH=: the client's login; "" when it did not authenticate
    std::vector<std::string> rcpts;  // the recipients the next stage accepted, in order
    smtp::ClientFacts client;        // XFORWARD's facts; fields "" when not given
    std::string msgid;               // the message's id in the logs
};

// What becomes of one message.
struct Verdict {
    // Set: every recipient gets this reply and nothing goes on.
    std::optional<smtp::Reply> refusal;
    // Header fields put on top of the message, each line CRLF-ended
    // (folded lines allowed); "" for none.
    std::string prepend;
    // Given a header field's name (as written, before the colon), true
    // when the field (with its continuation lines) is left out.  Empty:
    // nothing is left out.  Only the header section is looked at.
    std::function<bool(std::string_view name)> drop;
};

class Filter {
public:
    virtual ~Filter() = default;
    // The verdict on a complete message.  `message` has CRLF-less lines
    // as read (dot-stuffing undone), readable as many times as needed.  A
    // failure of the filter's own (a library error) is a 4xx refusal,
    // not an exception.
    virtual Verdict check(const Envelope& envelope, const smtp::MessageSource& message) = 0;
};

// Hands `message` on to `out` as the verdict says: `prepend` first, then
// the message without the header fields `drop` names.
void pass_on(const smtp::MessageSource& message, const Verdict& verdict, smtp::DataSink& out);

}  // namespace orou::filter
