// The LMTP server side of a filter stage (filter/filter.hpp): serves one
// session, passing the transaction on to the next stage and the message
// through a Filter.  Tests drive it with a FakeStream and a fake next
// stage on a unix socket.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "filter/filter.hpp"
#include "listener/workers.hpp"
#include "lmtp/server.hpp"
#include "route/next_hop.hpp"
#include "smtp/spool.hpp"

namespace orou::filter {

struct Config {
    std::string program;     // the name in the greeting and the log
    std::string next;        // the next stage's spec (route/next_hop.hpp)
    lmtp::Limits session;    // the LMTP limits and timeouts
    route::HopTimeouts hop;  // towards the next stage
    listener::Pool pool;     // given a listening socket: its workers
};

class Server final : public lmtp::Server {
public:
    // Borrows everything; the session's clock starts here.
    Server(io::Stream& stream, log::Logger& log, const Config& config, Filter& filter);

private:
    bool offers_xforward() const override { return true; }
    smtp::Reply sender(const lmtp::Transaction& tx) override;
    smtp::Reply recipient(const lmtp::Transaction& tx, const smtp::Address& to) override;
    smtp::DataSink& begin_message(const lmtp::Transaction& tx) override;
    void message(const lmtp::Transaction& tx) override;
    void refuse(const lmtp::Transaction& tx, const smtp::Reply& reply) override;
    void end_transaction() override;

    smtp::Reply open_hop();
    Verdict verdict(const lmtp::Transaction& tx);
    void send_on(const lmtp::Transaction& tx, const Verdict& verdict);
    void answer_all(const lmtp::Transaction& tx, const smtp::Reply& reply);
    void log_message(const lmtp::Transaction& tx, std::string_view result, const smtp::Reply& reply);

    const Config& config_;
    Filter& filter_;
    std::unique_ptr<route::NextHop> hop_;
    bool hop_has_mail_ = false;           // the next stage's transaction is open
    std::unique_ptr<smtp::Spool> spool_;  // the message of this transaction
    smtp::NullSink discard_;              // where the lines go when no spool could be made
};

// Runs a filter stage as lmtp::serve_stage does (the socket systemd
// passed, stdin/stdout, or a listening socket with a forked session per
// connection).  Returns a sysexits status.
int serve(const Config& config, Filter& filter, log::Logger& log);

}  // namespace orou::filter
