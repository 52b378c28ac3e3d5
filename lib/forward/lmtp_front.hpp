// The LMTP side of orouboros-forward (RFC 2033).  MAIL is only noted; at
// the first RCPT of a transaction the Connector opens the upstream
// session (MAIL given), and each RCPT gets the upstream's own reply.
// After DATA the message goes on to the upstream line by line as it
// arrives (abandoned, without the final dot, when it turns out bad), and
// every accepted recipient gets the upstream's one reply to it.  The upstream session ends (QUIT) with the transaction:
// after DATA, RSET, LHLO, QUIT.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "forward/upstream.hpp"
#include "lmtp/server.hpp"

namespace orou::forward {

class LmtpFront : public lmtp::Server {
public:
    // Borrows everything; the session's clock starts here.
    LmtpFront(io::Stream& stream, Connector& connector, log::Logger& log, const lmtp::Limits& limits);

private:
    smtp::Reply recipient(const lmtp::Transaction& tx, const smtp::Address& to) override;
    smtp::DataSink& begin_message(const lmtp::Transaction& tx) override;
    void message(const lmtp::Transaction& tx) override;
    void refuse(const lmtp::Transaction& tx, const smtp::Reply& reply) override;
    void end_transaction() override;
    smtp::Reply pass_rcpt(const lmtp::Transaction& tx, const std::string& rcpt);
    void answer_each(const lmtp::Transaction& tx, const smtp::Reply& reply, const PeerInfo* peer);

    Connector& connector_;
    // The transaction's upstream side.
    std::string domain_;                  // of the first recipient
    std::unique_ptr<Upstream> upstream_;  // opened at the first RCPT
    std::optional<smtp::Reply> failure_;  // why it could not be opened, or took no DATA

    smtp::NullSink discard_;  // where the lines go when the message has nowhere to go
};

}  // namespace orou::forward
