#include "deliver/lmtp_server.hpp"

#include <algorithm>
#include <cctype>

#include "base/error.hpp"
#include "deliver/replies.hpp"
#include "log/trace.hpp"
#include "smtp/address.hpp"
#include "smtp/data_reader.hpp"

namespace orou::deliver {

namespace {

using smtp::Reply;

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

bool is_protocol_error(const Reply& r) { return (r.code >= 500 && r.code <= 504) || r.code == 555; }

Reply path_refusal(smtp::PathError error, const Reply& bad_address) {
    return error == smtp::PathError::BadAddress ? bad_address : replies::syntax_error;
}

// SIZE=n (refused over max_message) and BODY=7BIT|8BITMIME; nothing else.
std::optional<Reply> check_mail_params(const smtp::Path& path, std::size_t max_message) {
    for (const auto& [key, value] : path.params) {
        if (key == "SIZE") {
            bool digits = !value.empty() && value.size() <= 19 &&
                          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits) return replies::syntax_error;
            if (std::stoull(value) > max_message) return replies::size_exceeded;
        } else if (key == "BODY") {
            if (!iequals(value, "7BIT") && !iequals(value, "8BITMIME")) return replies::syntax_error;
        } else {
            return replies::bad_param;
        }
    }
    return std::nullopt;
}

Reply reply_for(std::string_view rcpt, const DeliveryResult& result) {
    switch (result.outcome) {
    case Outcome::Delivered: return replies::delivered(rcpt);
    case Outcome::DiskFull: return replies::disk_full(rcpt);
    case Outcome::Refused: return replies::bad_mailbox(rcpt, result.error);
    case Outcome::Temporary: break;
    }
    return replies::mailbox_unavailable(rcpt);
}

Reply data_refusal(smtp::DataStatus status) {
    switch (status) {
    case smtp::DataStatus::TooBig: return replies::message_too_big;
    case smtp::DataStatus::TooLong: return replies::data_line_too_long;
    case smtp::DataStatus::Nul: return replies::nul_in_message;
    default: return replies::bare_cr_or_lf;
    }
}

}  // namespace

LmtpServer::LmtpServer(io::Stream& stream, Store& store, log::Logger& log, const LmtpConfig& config)
    : stream_(stream),
      in_(stream, config.max_line),
      store_(store),
      log_(log),
      config_(config),
      timer_{config.idle, io::Clock::now() + config.session} {}

void LmtpServer::run() {
    try {
        send(replies::greeting(config_.hostname));
        while (serve_one()) {
        }
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "session", {{"result", "failed"}, {"error", e.what()}});
        say_goodbye(replies::local_error);
    }
}

// Reads and answers one command; false when the session is over.
bool LmtpServer::serve_one() {
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

Reply LmtpServer::dispatch(std::string_view verb, std::string_view arg) {
    using Handler = Reply (LmtpServer::*)(std::string_view);
    static constexpr std::pair<std::string_view, Handler> kVerbs[] = {
        {"LHLO", &LmtpServer::on_lhlo}, {"MAIL", &LmtpServer::on_mail}, {"RCPT", &LmtpServer::on_rcpt},
        {"DATA", &LmtpServer::on_data}, {"RSET", &LmtpServer::on_rset}, {"NOOP", &LmtpServer::on_noop},
        {"QUIT", &LmtpServer::on_quit},
    };
    for (const auto& [name, handler] : kVerbs)
        if (name == verb) return (this->*handler)(arg);
    return replies::unknown_command;
}

// Sends a reply, counting syntax and sequence errors; false once there
// were too many of them (421 sent).
bool LmtpServer::answer(const Reply& reply) {
    send(reply);
    if (!is_protocol_error(reply) || ++errors_ < config_.max_errors) return true;
    send(replies::too_many_errors);
    return false;
}

Reply LmtpServer::on_lhlo(std::string_view arg) {
    if (blank(arg)) return replies::syntax_error;
    greeted_ = true;
    tx_.reset();
    return replies::lhlo(config_.hostname, config_.max_message);
}

Reply LmtpServer::on_mail(std::string_view arg) {
    if (!greeted_) return replies::need_lhlo;
    if (tx_) return replies::nested_mail;
    auto parsed = smtp::parse_path(arg, "FROM", true);
    if (!parsed.path) return path_refusal(parsed.error, replies::bad_sender);
    if (auto refusal = check_mail_params(*parsed.path, config_.max_message)) return *refusal;
    tx_ = Transaction{parsed.path->address.str(), {}, log::new_id()};
    return replies::sender_ok;
}

Reply LmtpServer::on_rcpt(std::string_view arg) {
    if (!tx_) return replies::need_mail;
    auto parsed = smtp::parse_path(arg, "TO", false);
    if (!parsed.path) return path_refusal(parsed.error, replies::bad_rcpt);
    if (!parsed.path->params.empty()) return replies::bad_param;
    if (tx_->rcpts.size() >= config_.max_rcpts) return replies::too_many_rcpts;
    std::string rcpt = parsed.path->address.str();
    LocalPart local = store_.check(rcpt);
    if (!local.ok()) {
        log_delivery(log_, tx_->msgid, tx_->sender, rcpt, {Outcome::Refused, "", local.refusal, ""});
        return replies::bad_mailbox(rcpt, local.refusal);
    }
    tx_->rcpts.push_back(std::move(rcpt));
    return replies::rcpt_ok;
}

Reply LmtpServer::on_data(std::string_view arg) {
    if (!tx_) return replies::need_mail;
    if (tx_->rcpts.empty()) return replies::need_rcpt;
    if (!blank(arg)) return replies::syntax_error;
    return replies::start_data;
}

Reply LmtpServer::on_rset(std::string_view) {
    tx_.reset();
    return replies::ok;
}

Reply LmtpServer::on_noop(std::string_view) { return replies::ok; }

Reply LmtpServer::on_quit(std::string_view) {
    quit_ = true;
    return replies::bye;
}

// After 354: reads the message, then one reply per recipient, in order.
bool LmtpServer::receive_message() {
    std::string message;
    const smtp::DataStatus status = smtp::read_data(in_, timer_, config_.max_message, message);
    if (status == smtp::DataStatus::Eof) return false;
    if (status == smtp::DataStatus::Timeout) {
        send(replies::timeout);
        return false;
    }
    if (status == smtp::DataStatus::Ok) deliver_each(message);
    else refuse_each(data_refusal(status));
    tx_.reset();
    return true;
}

void LmtpServer::deliver_each(std::string_view message) {
    if (auto id = log::received_id(message); !id.empty()) tx_->msgid = id;  // smtpd's id: one id along the path
    for (const auto& rcpt : tx_->rcpts) {
        const DeliveryResult result = store_.deliver(tx_->sender, rcpt, message);
        log_delivery(log_, tx_->msgid, tx_->sender, rcpt, result);
        send(reply_for(rcpt, result));
    }
}

void LmtpServer::refuse_each(const Reply& reply) {
    for (const auto& rcpt : tx_->rcpts) {
        log_delivery(log_, tx_->msgid, tx_->sender, rcpt, {Outcome::Refused, "", reply.text, ""});
        send(reply);
    }
}

void LmtpServer::send(const Reply& reply) { stream_.write(reply.wire()); }

// A last reply when the peer may be gone already: a failure is ignored.
void LmtpServer::say_goodbye(const Reply& reply) noexcept {
    try {
        send(reply);
    } catch (const SysError&) {
    }
}

}  // namespace orou::deliver
