// The LMTP server of orouboros-mbox-deliver: each RCPT's local part is
// checked at once, and after DATA each recipient gets the result of its
// own delivery through the Store, in order.  The message is spooled as it
// arrives (Store::new_spool), never held in memory; one that is abandoned
// never reaches a mailbox.  Tests drive it with a
// FakeStream and a temporary directory.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "deliver/store.hpp"
#include "lmtp/server.hpp"

namespace orou::deliver {

class LmtpServer : public lmtp::Server {
public:
    // Borrows everything; the session's clock starts here.
    LmtpServer(io::Stream& stream, Store& store, log::Logger& log, const lmtp::Limits& limits);

private:
    smtp::Reply recipient(const lmtp::Transaction& tx, const smtp::Address& to) override;
    smtp::DataSink& begin_message(const lmtp::Transaction& tx) override;
    void message(const lmtp::Transaction& tx) override;
    void refuse(const lmtp::Transaction& tx, const smtp::Reply& reply) override;
    void end_transaction() override;
    void answer_each(const lmtp::Transaction& tx, const DeliveryResult& result);

    Store& store_;
    std::unique_ptr<smtp::Spool> spool_;  // the message of this transaction
    std::optional<DeliveryResult> spool_failure_;
    smtp::NullSink discard_;  // where the lines go when the message has nowhere to go
};

}  // namespace orou::deliver
