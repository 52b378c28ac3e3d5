// The LMTP side of orouboros-forward (RFC 2033): LHLO, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT over a Stream.  MAIL is only noted; at the first RCPT
// of a transaction the Connector opens the upstream session (MAIL given),
// and each RCPT gets the upstream's own reply.  After DATA every accepted
// recipient gets the upstream's one reply to the message.  The upstream
// session ends (QUIT) with the transaction: after DATA, RSET, LHLO, QUIT.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "forward/upstream.hpp"
#include "io/line_reader.hpp"
#include "log/log.hpp"
#include "smtp/reply.hpp"

namespace orou::forward {

struct FrontConfig {
    std::string hostname = "localhost";
    std::size_t max_message = 25u << 20;  // bytes, as read from DATA
    std::size_t max_line = 1000;          // a command, CRLF not counted
    std::size_t max_text_line = 10000;    // a line of the message
    std::size_t max_rcpts = 100;
    int max_errors = 10;                  // syntax and sequence errors, then 421
    std::chrono::seconds idle{300};       // per read
    std::chrono::seconds session{1800};   // the whole session
};

class LmtpFront {
public:
    // Borrows everything; the session's clock starts here.
    LmtpFront(io::Stream& stream, Connector& connector, log::Logger& log, const FrontConfig& config);
    LmtpFront(const LmtpFront&) = delete;
    LmtpFront& operator=(const LmtpFront&) = delete;

    // Serves the session to its end: QUIT, end of input, a timeout, too
    // many errors, or a failed write (logged; 421 when possible).
    void run();

private:
    struct Transaction {
        Envelope envelope;
        std::string msgid;
        std::string domain;                  // of the first recipient
        std::unique_ptr<Upstream> upstream;  // opened at the first RCPT
        std::optional<smtp::Reply> failure;  // why it could not be opened
        std::vector<std::string> rcpts;      // accepted by the upstream
    };

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
    smtp::Reply pass_rcpt(const std::string& rcpt);
    bool receive_message();
    void answer_each(const smtp::Reply& reply, const PeerInfo* peer);
    void send(const smtp::Reply& reply);
    void say_goodbye(const smtp::Reply& reply) noexcept;

    io::Stream& stream_;
    io::LineReader in_;
    Connector& connector_;
    log::Logger& log_;
    const FrontConfig& config_;
    io::Timer timer_;
    bool greeted_ = false;
    bool quit_ = false;
    int errors_ = 0;
    std::optional<Transaction> tx_;
};

// MAIL's parameters: SIZE=n (refused over max_message) and
// BODY=7BIT|8BITMIME go into the envelope; any other is refused.
std::optional<smtp::Reply> read_mail_params(const std::vector<std::pair<std::string, std::string>>& params,
                                            std::size_t max_message, Envelope& envelope);

}  // namespace orou::forward
