// The LMTP client side of a route: opens the stage named by a spec and
// passes the transaction on, so the client hears the stage's own verdicts.
//   exec:/path/prog args   spawned, LMTP over its stdin/stdout
//   unix:/path/to.sock     a unix stream socket (systemd Accept=yes)
//   lmtp:host:port         a TCP LMTP server
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/connect.hpp"
#include "io/line_reader.hpp"
#include "io/stream.hpp"
#include "smtp/dot_writer.hpp"
#include "smtp/message.hpp"
#include "smtp/reply.hpp"
#include "smtp/xforward.hpp"

namespace orou::route {

struct HopTimeouts {
    std::chrono::seconds connect{30};
    std::chrono::seconds command{280};  // a relay stage may try several MX hosts; under the sender's 5 min
    std::chrono::seconds data{540};     // under the 10 minutes a sender waits
};

// The message goes on as it arrives (NextHop is the DATA reader's sink):
// begin_data(), the lines, then end_data() for the verdicts; a message
// that turns out bad is abandoned by closing the connection without the
// final dot, which the stage takes as a rollback.
class NextHop final : public smtp::DataSink {
public:
    struct Opened;
    // Connects, reads the greeting, sends LHLO.  On failure: a 4xx reply
    // (or the stage's own refusal), and for the log what went wrong.
    // Every reply a NextHop returns is fit for the client: the stage's
    // passed through Reply::from_upstream, ours naming no path or command.
    static Opened open(std::string_view spec, std::string_view lhlo_name, HopTimeouts timeouts);

    NextHop(const NextHop&) = delete;
    NextHop& operator=(const NextHop&) = delete;
    ~NextHop();

    // XFORWARD with the client's facts (smtp/xforward.hpp), before MAIL,
    // when the stage offers it (else nothing is sent): 2xx, or the
    // stage's refusal.
    [[nodiscard]] smtp::Reply xforward(const smtp::ClientFacts& facts);
    // " AUTH=<login>" (RFC 4954) for a stage that offers XFORWARD, "" for
    // any other, or when there is no login.
    std::string auth_param(std::string_view login) const;
    [[nodiscard]] smtp::Reply mail(std::string_view from_arg);  // "FROM:<a@b> BODY=8BITMIME"
    [[nodiscard]] smtp::Reply rcpt(std::string_view to_arg);    // "TO:<c@d>"
    // DATA: the stage's reply, 354 when the lines may follow.
    [[nodiscard]] smtp::Reply begin_data();
    // A line of the message (dot-stuffed here); a write that fails breaks
    // the hop and later lines are dropped.
    void line(std::string_view text) override;
    // Closes the connection at once, without the final dot.
    void abandon() override;
    // The final dot, and one reply per accepted recipient; a broken
    // connection gives 4xx for the missing ones.
    [[nodiscard]] std::vector<smtp::Reply> end_data(std::size_t accepted);
    void rset();
    bool broken() const { return broken_; }
    // Whether the stage's LHLO reply offered `keyword`.
    bool offers(std::string_view keyword) const;

private:
    NextHop(std::string spec, io::Connection conn, HopTimeouts timeouts);
    smtp::Reply command(std::string_view line, std::chrono::seconds timeout);
    smtp::Reply failure(std::string_view what);
    std::optional<smtp::Reply> next_reply(io::Deadline deadline);
    void quit() noexcept;
    void close() noexcept;

    std::string spec_;
    io::Connection conn_;
    HopTimeouts timeouts_;
    io::FdStream stream_;
    io::LineReader reader_;
    bool broken_ = false;
    bool in_data_ = false;  // between 354 and the final dot: no QUIT may be sent
    smtp::DotWriter writer_;
    std::string lhlo_;  // the stage's LHLO reply lines, between newlines
};

struct NextHop::Opened {
    std::unique_ptr<NextHop> hop;  // null on failure
    smtp::Reply error;             // the reason when hop is null, for the client
    std::string detail;            // why the stage could not be reached, for the log only
};

}  // namespace orou::route
