#include "lmtp/server.hpp"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "base/error.hpp"
#include "listener/listener.hpp"
#include "lmtp/replies.hpp"
#include "log/trace.hpp"
#include "smtp/data_reader.hpp"
#include "smtp/mail_params.hpp"

namespace orou::lmtp {

namespace {

using smtp::Reply;

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool is_protocol_error(const Reply& r) { return (r.code >= 500 && r.code <= 504) || r.code == 555; }

Reply path_refusal(smtp::PathError error, const Reply& bad_address) {
    if (error == smtp::PathError::BadParam) return replies::bad_param;
    return error == smtp::PathError::BadAddress ? bad_address : replies::syntax_error;
}

// MAIL's parameters through the one parser smtpd uses too.
std::optional<Reply> read_mail_params(const std::vector<std::pair<std::string, std::string>>& params,
                                      std::size_t max_message, Transaction& tx) {
    const smtp::MailParams p = smtp::parse_mail_params(params, max_message);
    switch (p.error) {
    case smtp::MailParamError::None: break;
    case smtp::MailParamError::Syntax: return replies::syntax_error;
    case smtp::MailParamError::TooBig: return replies::size_exceeded;
    case smtp::MailParamError::Unknown: return replies::bad_param;
    }
    tx.size = p.size;
    tx.eight_bit = p.eight_bit;
    tx.body_given = p.body_given;
    tx.auth = p.auth;
    tx.loop = p.loop_trail();

    return std::nullopt;
}

// Hands the lines on to the stage's sink, and picks smtpd's message id out
// of the first Received: header on the way (one id along the path).
class IdWatch final : public smtp::DataSink {
public:
    IdWatch(smtp::DataSink& next, std::string& msgid) : next_(next), msgid_(msgid) {}
    void line(std::string_view text) override {
        if (watching_) watch(text);
        next_.line(text);
    }
    void abandon() override { next_.abandon(); }

private:
    void watch(std::string_view text) {
        const bool continuation = !text.empty() && (text[0] == ' ' || text[0] == '\t');
        if (!first_.empty() && !continuation) {
            watching_ = false;
            if (auto id = log::received_id(first_); !id.empty()) msgid_ = id;
            return;
        }
        if ((first_.empty() && !text.starts_with("Received:")) || first_.size() + text.size() > kMaxField) {
            watching_ = false;
            return;
        }
        first_.append(text).append("\r\n");
    }

    static constexpr std::size_t kMaxField = 4096;
    smtp::DataSink& next_;
    std::string& msgid_;
    std::string first_;
    bool watching_ = true;
};

Reply data_refusal(smtp::DataStatus status) {
    switch (status) {
    case smtp::DataStatus::TooBig: return replies::message_too_big;
    case smtp::DataStatus::TooManyHops: return replies::too_many_hops;
    case smtp::DataStatus::HeaderTooBig: return replies::header_too_big;
    case smtp::DataStatus::TooLong: return replies::data_line_too_long;
    case smtp::DataStatus::Nul: return replies::nul_in_message;
    default: return replies::bare_cr_or_lf;
    }
}

}  // namespace

Server::Server(io::Stream& stream, log::Logger& log, const Limits& limits, std::string_view program)
    : log_(log),
      stream_(stream),
      in_(stream, limits.max_line),
      limits_(limits),
      program_(program),
      timer_{limits.idle, io::Clock::now() + limits.session} {}

void Server::run() {
    try {
        send(replies::greeting(limits_.hostname, program_));
        while (serve_one()) {}
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "session", {{"result", "failed"}, {"error", e.what()}});
        say_goodbye(replies::local_error);
    }
    end();
}

// Reads and answers one command; false when the session is over.
bool Server::serve_one() {
    std::string line;
    switch (in_.next(line, timer_.next())) {
    case io::LineStatus::Eof: return false;
    case io::LineStatus::Timeout: send(replies::timeout); return false;
    case io::LineStatus::TooLong: return answer(replies::line_too_long);
    case io::LineStatus::BareCrOrLf:
    case io::LineStatus::Nul: return answer(replies::bad_line);
    case io::LineStatus::Ok: break;
    }
    auto [verb, arg] = smtp::split_command(line);
    const Reply reply = dispatch(verb, arg);
    if (!answer(reply)) return false;
    if (reply.code == replies::start_data.code) return receive_message();
    return !quit_;
}

Reply Server::dispatch(std::string_view verb, std::string_view arg) {
    using Handler = Reply (Server::*)(std::string_view);
    static constexpr std::pair<std::string_view, Handler> kVerbs[] = {
        {"LHLO", &Server::on_lhlo}, {"MAIL", &Server::on_mail},         {"RCPT", &Server::on_rcpt},
        {"DATA", &Server::on_data}, {"RSET", &Server::on_rset},         {"NOOP", &Server::on_noop},
        {"QUIT", &Server::on_quit}, {"XFORWARD", &Server::on_xforward},
    };
    for (const auto& [name, handler] : kVerbs)
        if (name == verb) return (this->*handler)(arg);
    return replies::unknown_command;
}

// Sends a reply, counting syntax and sequence errors; false once there
// were too many of them (421 sent).
bool Server::answer(const Reply& reply) {
    send(reply);
    if (!is_protocol_error(reply) || ++errors_ < limits_.max_errors) return true;
    send(replies::too_many_errors);
    return false;
}

Reply Server::on_lhlo(std::string_view arg) {
    if (blank(arg)) return replies::syntax_error;
    greeted_ = true;
    client_ = {};
    end();
    return replies::lhlo(limits_.hostname, limits_.max_message, offers_xforward());
}

Reply Server::on_mail(std::string_view arg) {
    if (!greeted_) return replies::need_lhlo;
    if (tx_) return replies::nested_mail;
    auto parsed = smtp::parse_path(arg, "FROM", true);
    if (!parsed.path) return path_refusal(parsed.error, replies::bad_sender);
    Transaction tx;
    tx.sender = parsed.path->address.str();
    tx.msgid = log::new_id();
    if (auto refusal = read_mail_params(parsed.path->params, limits_.max_message, tx)) return *refusal;
    tx.client = std::exchange(client_, {});
    const Reply reply = sender(tx);
    if (reply.ok()) tx_ = std::move(tx);
    return reply;
}

Reply Server::sender(const Transaction&) { return replies::sender_ok; }

Reply Server::on_xforward(std::string_view arg) {
    if (!offers_xforward()) return replies::unknown_command;
    if (!greeted_) return replies::need_lhlo;
    if (tx_) return replies::xforward_in_transaction;
    if (!smtp::take_xforward(arg, client_)) return replies::syntax_error;
    return replies::ok;
}

Reply Server::on_rcpt(std::string_view arg) {
    if (!tx_) return replies::need_mail;
    auto parsed = smtp::parse_path(arg, "TO", false);
    if (!parsed.path) return path_refusal(parsed.error, replies::bad_rcpt);
    if (!parsed.path->params.empty()) return replies::bad_param;
    if (tx_->rcpts.size() >= limits_.max_rcpts) return replies::too_many_rcpts;
    const Reply reply = recipient(*tx_, parsed.path->address);
    if (reply.ok()) tx_->rcpts.push_back(parsed.path->address.str());
    return reply;
}

Reply Server::on_data(std::string_view arg) {
    if (!tx_) return replies::need_mail;
    if (tx_->rcpts.empty()) return replies::need_rcpt;
    if (!blank(arg)) return replies::syntax_error;
    return replies::start_data;
}

Reply Server::on_rset(std::string_view) {
    client_ = {};
    end();
    return replies::ok;
}

Reply Server::on_noop(std::string_view) { return replies::ok; }

Reply Server::on_quit(std::string_view) {
    quit_ = true;
    end();
    return replies::bye;
}

// After 354: reads the message into the stage's sink, then one reply per
// recipient, in order.
bool Server::receive_message() {
    IdWatch sink(begin_message(*tx_), tx_->msgid);
    in_.set_max_line(limits_.max_text_line);
    const smtp::DataStatus status =
        smtp::read_data(in_, timer_, {limits_.max_message, limits_.max_header, limits_.max_hops}, sink);
    in_.set_max_line(limits_.max_line);
    if (status == smtp::DataStatus::Eof) return false;
    if (status == smtp::DataStatus::Timeout) {
        send(replies::timeout);
        return false;
    }
    if (status == smtp::DataStatus::Ok) message(*tx_);
    else refuse(*tx_, data_refusal(status));
    end();
    return true;
}

// Ends the transaction, if there is one.
void Server::end() {
    if (!tx_) return;
    tx_.reset();
    end_transaction();
}

void Server::send(const Reply& reply) { stream_.write(reply.wire()); }

// A last reply when the peer may be gone already: a failure is ignored.
void Server::say_goodbye(const Reply& reply) noexcept {
    try {
        send(reply);
    } catch (const SysError&) {}
}

int serve_stage(const listener::Pool& pool, log::Logger& log, const std::function<int(int in, int out)>& session) {
    const int fd = listener::systemd_socket();
    const int in = fd < 0 ? STDIN_FILENO : fd;
    if (!listener::is_listening(in)) return session(in, fd < 0 ? STDOUT_FILENO : fd);
    listener::Pool how = pool;
    how.label = "lmtp";
    how.busy_reply = replies::busy.wire();
    return listener::serve_workers(in, how, log, [&](int conn) { return session(conn, conn); });
}

}  // namespace orou::lmtp
