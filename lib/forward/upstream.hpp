// The seam between the front ends (LMTP, sendmail convention) and the
// SMTP client: a Connector opens a session for one transaction (the
// destination found, connected, MAIL given), and the Upstream takes the
// recipients and the message.  Tests put fakes behind both.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "smtp/message.hpp"
#include "smtp/reply.hpp"

namespace orou::forward {

struct Envelope {
    std::string sender;      // "" for the null sender
    bool eight_bit = false;  // BODY=8BITMIME
    std::size_t size = 0;    // SIZE=, 0 when not known
    std::string loop;        // XLOOP= trail (smtp/mail_params.hpp), passed on when offered
};

// The TLS policy a host was held to (RFC 7672 DANE, RFC 8461 MTA-STS), for
// the log.
struct PolicyOutcome {
    std::string name = "none";  // dane, mta-sts or none
    std::string mode = "none";  // enforce, testing or none
    bool failed = false;        // the check did not hold (in testing: logged only)
    std::string why;            // what failed
};

// Who the upstream is, for the log.
struct PeerInfo {
    std::string host;     // the name tried (MX host, --host)
    std::string address;  // the IP address connected to
    unsigned port = 0;
    std::string tls_version;  // "" without TLS
    std::string tls_cipher;
    PolicyOutcome policy = {};
};

// The message goes on as it arrives: begin_data(), the lines (as a
// DataSink), end_data().  abandon() closes the session without the final
// dot, so the upstream drops what it had of the message.
class Upstream : public smtp::DataSink {
public:
    // Ends the session (QUIT), unless it was abandoned.
    ~Upstream() override = default;
    // The upstream's reply to RCPT TO:<rcpt>, or a 4xx when it went away.
    [[nodiscard]] virtual smtp::Reply rcpt(std::string_view rcpt) = 0;
    // DATA: 354 when the lines may follow, else the upstream's refusal.
    [[nodiscard]] virtual smtp::Reply begin_data() = 0;
    // The final dot, and the upstream's one reply for all accepted
    // recipients.
    [[nodiscard]] virtual smtp::Reply end_data() = 0;
    virtual const PeerInfo& peer() const = 0;
};

// begin_data(), every line of `message`, end_data(): the upstream's reply.
smtp::Reply send_message(Upstream& upstream, const smtp::MessageSource& message);

struct Opened {
    std::unique_ptr<Upstream> upstream;  // null when it failed
    smtp::Reply reply;                   // MAIL's reply, or why there is no session
};

class Connector {
public:
    virtual ~Connector() = default;
    // A session for a transaction to recipients in `domain`, MAIL given.
    [[nodiscard]] virtual Opened open(std::string_view domain, const Envelope& envelope) = 0;
    // True when each transaction must keep to one recipient domain (MX).
    virtual bool one_domain_per_transaction() const = 0;
};

}  // namespace orou::forward
