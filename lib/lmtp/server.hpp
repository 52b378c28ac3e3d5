// An LMTP server (RFC 2033) for one session over a Stream: LHLO, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT, with the limits, timeouts and error count
// of every server of the suite.  What a recipient and a message mean is
// the program's: orouboros-mbox-deliver stores, orouboros-forward hands
// on.  Each derives from Server and answers the hooks below.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/limits.hpp"
#include "io/line_reader.hpp"
#include "listener/workers.hpp"
#include "log/log.hpp"
#include "smtp/address.hpp"
#include "smtp/message.hpp"
#include "smtp/reply.hpp"
#include "smtp/xforward.hpp"

namespace orou::lmtp {

struct Limits {
    std::string hostname = "localhost";
    std::size_t max_message = kDefaultMaxMessage;  // bytes, as read from DATA
    std::size_t max_header = 256u << 10;           // the header section
    int max_hops = 50;                             // Received: headers, then 554 5.4.6
    std::size_t max_line = 1000;                   // a command, CRLF not counted
    std::size_t max_text_line = 10000;             // a line of the message, as orouboros-smtpd allows
    std::size_t max_rcpts = 100;
    int max_errors = 10;                 // syntax and sequence errors, then 421
    std::chrono::seconds idle{300};      // per read
    std::chrono::seconds session{1800};  // the whole session
};

// A transaction as the client has given it so far.
struct Transaction {
    std::string sender;              // "" for the null sender
    bool eight_bit = false;          // BODY=8BITMIME
    bool body_given = false;         // BODY= was given
    std::size_t size = 0;            // SIZE=, 0 when not given
    std::string loop;                // XLOOP=, the trail of smtpds, "" when not given
    std::string msgid;               // for the log; smtpd's id once the message names it
    std::vector<std::string> rcpts;  // the accepted recipients, in order
    std::string auth;                // AUTH=, decoded: the client's login, "" when none
    smtp::ClientFacts client;        // XFORWARD's facts given before MAIL (stages that offer it)
};

class Server {
public:
    // Borrows everything; the session's clock starts here.  `program`
    // names the server in its greeting.
    Server(io::Stream& stream, log::Logger& log, const Limits& limits, std::string_view program);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    virtual ~Server() = default;

    // Serves the session to its end: QUIT, end of input, a timeout, too
    // many errors, or a failed read or write (logged; 421 when possible).
    void run();

protected:
    // The verdict on MAIL, its syntax and parameters already checked; the
    // transaction starts when the reply is 2xx.
    virtual smtp::Reply sender(const Transaction& tx);
    // Whether LHLO offers XFORWARD (smtp/xforward.hpp) and the verb is
    // taken; only a stage that passes the facts on offers it.
    virtual bool offers_xforward() const { return false; }
    // The verdict on one recipient, its syntax and the limit already
    // checked; it is accepted when the reply is 2xx.
    virtual smtp::Reply recipient(const Transaction& tx, const smtp::Address& to) = 0;
    // Where the message of a transaction with recipients goes, line by
    // line as it is read (after 354).  A message that turns out bad, or a
    // client that goes away before the final dot, makes the sink abandon
    // it: nothing of it may stay (a rollback).
    virtual smtp::DataSink& begin_message(const Transaction& tx) = 0;
    // The message is complete: one reply per accepted recipient, in
    // order, each through send().
    virtual void message(const Transaction& tx) = 0;
    // A message refused as it was read (its sink abandoned it): `reply`
    // once per accepted recipient, through send().
    virtual void refuse(const Transaction& tx, const smtp::Reply& reply) = 0;
    // The transaction is over: after DATA, RSET, LHLO, QUIT, the session.
    virtual void end_transaction() {}

    void send(const smtp::Reply& reply);

    log::Logger& log_;

private:
    bool serve_one();
    smtp::Reply dispatch(std::string_view verb, std::string_view arg);
    bool answer(const smtp::Reply& reply);
    smtp::Reply on_lhlo(std::string_view arg);
    smtp::Reply on_mail(std::string_view arg);
    smtp::Reply on_rcpt(std::string_view arg);
    smtp::Reply on_data(std::string_view arg);
    smtp::Reply on_rset(std::string_view arg);
    smtp::Reply on_noop(std::string_view arg);
    smtp::Reply on_quit(std::string_view arg);
    smtp::Reply on_xforward(std::string_view arg);
    bool receive_message();
    void end();
    void say_goodbye(const smtp::Reply& reply) noexcept;

    io::Stream& stream_;
    io::LineReader in_;
    const Limits& limits_;
    std::string program_;
    io::Timer timer_;
    bool greeted_ = false;  // LHLO seen
    bool quit_ = false;
    int errors_ = 0;
    std::optional<Transaction> tx_;
    smtp::ClientFacts client_;  // XFORWARD's, for the next transaction
};

// Runs the LMTP side of a stage on what it was started with: the socket
// systemd passed (Accept=yes), or standard input and output, is one
// session; a listening socket there (systemd Accept=no, inetd "wait", the
// orouboros listener) is served by `pool`'s workers (listener/workers.hpp),
// a session per connection with SIGPIPE ignored and a session id of its
// own in `log`, at most pool.max_workers at once (421 4.3.2 to the rest)
// until SIGTERM or SIGINT.  Each session builds its state anew: nothing
// of a connection's transaction reaches the next one.  Returns a sysexits
// status.
int serve_stage(const listener::Pool& pool, log::Logger& log, const std::function<int(int in, int out)>& session);

}  // namespace orou::lmtp
