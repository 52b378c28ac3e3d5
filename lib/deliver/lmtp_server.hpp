// The LMTP server of orouboros-mbox-deliver: each RCPT's local part is
// checked at once, and after DATA each recipient gets the result of its
// own delivery through the Store, in order.  Tests drive it with a
// FakeStream and a temporary directory.
#pragma once

#include "deliver/store.hpp"
#include "lmtp/server.hpp"

namespace orou::deliver {

class LmtpServer : public lmtp::Server {
public:
    // Borrows everything; the session's clock starts here.
    LmtpServer(io::Stream& stream, Store& store, log::Logger& log, const lmtp::Limits& limits);

private:
    smtp::Reply recipient(const lmtp::Transaction& tx, const smtp::Address& to) override;
    void message(const lmtp::Transaction& tx, std::string_view message) override;
    void refuse(const lmtp::Transaction& tx, const smtp::Reply& reply) override;

    Store& store_;
};

}  // namespace orou::deliver
