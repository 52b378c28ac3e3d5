// An LMTP server (RFC 2033) for one session over a Stream: LHLO, MAIL,
// RCPT (the local part checked at once), DATA with one reply per accepted
// recipient in order, RSET, NOOP, QUIT.  It delivers through a Store, so
// tests drive it with a FakeStream and a temporary directory.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deliver/store.hpp"
#include "io/line_reader.hpp"
#include "log/log.hpp"
#include "smtp/reply.hpp"

namespace orou::deliver {

struct LmtpConfig {
    std::string hostname = "localhost";
    std::size_t max_message = 25u << 20;  // bytes, as read from DATA
    std::size_t max_line = 1000;          // bytes of a command or a text line, CRLF not counted
    std::size_t max_rcpts = 100;
    int max_errors = 10;                  // syntax and sequence errors, then 421
    std::chrono::seconds idle{300};       // per read
    std::chrono::seconds session{1800};   // the whole session
};

class LmtpServer {
public:
    // Borrows everything; the session's clock starts here.
    LmtpServer(io::Stream& stream, Store& store, log::Logger& log, const LmtpConfig& config);
    LmtpServer(const LmtpServer&) = delete;
    LmtpServer& operator=(const LmtpServer&) = delete;

    // Serves the session to its end: QUIT, end of input, a timeout, too
    // many errors, or a failed read or write (logged; 421 when possible).
    void run();

private:
    struct Transaction {
        std::string sender;  // "" for the null sender
        std::vector<std::string> rcpts;
        std::string msgid;
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
    bool receive_message();
    void deliver_each(std::string_view message);
    void refuse_each(const smtp::Reply& reply);
    void send(const smtp::Reply& reply);
    void say_goodbye(const smtp::Reply& reply) noexcept;

    io::Stream& stream_;
    io::LineReader in_;
    Store& store_;
    log::Logger& log_;
    const LmtpConfig& config_;
    io::Timer timer_;
    bool greeted_ = false;  // LHLO seen
    bool quit_ = false;
    int errors_ = 0;
    std::optional<Transaction> tx_;
};

}  // namespace orou::deliver
