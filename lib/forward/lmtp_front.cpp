#include "forward/lmtp_front.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "forward/events.hpp"
#include "forward/replies.hpp"
#include "log/trace.hpp"
#include "smtp/address.hpp"
#include "smtp/data_reader.hpp"

namespace orou::forward {

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

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    return out;
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

std::optional<Reply> read_mail_params(const std::vector<std::pair<std::string, std::string>>& params,
                                      std::size_t max_message, Envelope& envelope) {
    for (const auto& [key, value] : params) {
        if (key == "SIZE") {
            const bool digits = !value.empty() && value.size() <= 18 &&
                                value.find_first_not_of("0123456789") == std::string::npos;
            if (!digits) return replies::syntax_error;
            envelope.size = std::stoull(value);
            if (envelope.size > max_message) return replies::size_exceeded;
        } else if (key == "BODY") {
            const std::string body = upper(value);
            if (body != "7BIT" && body != "8BITMIME") return replies::syntax_error;
            envelope.eight_bit = body == "8BITMIME";
        } else {
            return replies::bad_param;
        }
    }
    return std::nullopt;
}

LmtpFront::LmtpFront(io::Stream& stream, Connector& connector, log::Logger& log, const FrontConfig& config)
    : stream_(stream),
      in_(stream, config.max_line),
      connector_(connector),
      log_(log),
      config_(config),
      timer_{config.idle, io::Clock::now() + config.session} {}

void LmtpFront::run() {
    try {
        send(replies::greeting(config_.hostname));
        while (serve_one()) {
        }
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "session", {{"result", "failed"}, {"error", e.what()}});
        say_goodbye(replies::local_error);
    }
    tx_.reset();  // ends an upstream session still open
}

// Reads and answers one command; false when the session is over.
bool LmtpFront::serve_one() {
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

Reply LmtpFront::dispatch(std::string_view verb, std::string_view arg) {
    using Handler = Reply (LmtpFront::*)(std::string_view);
    static constexpr std::pair<std::string_view, Handler> kVerbs[] = {
        {"LHLO", &LmtpFront::on_lhlo}, {"MAIL", &LmtpFront::on_mail}, {"RCPT", &LmtpFront::on_rcpt},
        {"DATA", &LmtpFront::on_data}, {"RSET", &LmtpFront::on_rset}, {"NOOP", &LmtpFront::on_noop},
        {"QUIT", &LmtpFront::on_quit},
    };
    for (const auto& [name, handler] : kVerbs)
        if (name == verb) return (this->*handler)(arg);
    return replies::unknown_command;
}

// Sends a reply, counting syntax and sequence errors; false once there
// were too many of them (421 sent).
bool LmtpFront::answer(const Reply& reply) {
    send(reply);
    if (!is_protocol_error(reply) || ++errors_ < config_.max_errors) return true;
    send(replies::too_many_errors);
    return false;
}

Reply LmtpFront::on_lhlo(std::string_view arg) {
    if (blank(arg)) return replies::syntax_error;
    greeted_ = true;
    tx_.reset();
    return replies::lhlo(config_.hostname, config_.max_message);
}

Reply LmtpFront::on_mail(std::string_view arg) {
    if (!greeted_) return replies::need_lhlo;
    if (tx_) return replies::nested_mail;
    auto parsed = smtp::parse_path(arg, "FROM", true);
    if (!parsed.path) return path_refusal(parsed.error, replies::bad_sender);
    Envelope envelope{parsed.path->address.str(), false, 0};
    if (auto refusal = read_mail_params(parsed.path->params, config_.max_message, envelope)) return *refusal;
    tx_ = Transaction{std::move(envelope), log::new_id(), "", nullptr, std::nullopt, {}};
    return replies::sender_ok;
}

Reply LmtpFront::on_rcpt(std::string_view arg) {
    if (!tx_) return replies::need_mail;
    auto parsed = smtp::parse_path(arg, "TO", false);
    if (!parsed.path) return path_refusal(parsed.error, replies::bad_rcpt);
    if (!parsed.path->params.empty()) return replies::bad_param;
    if (tx_->rcpts.size() >= config_.max_rcpts) return replies::too_many_rcpts;
    const smtp::Address& to = parsed.path->address;
    if (tx_->domain.empty()) tx_->domain = to.domain;
    if (connector_.one_domain_per_transaction() && to.domain != tx_->domain) return replies::other_domain;
    const Reply reply = pass_rcpt(to.str());
    log_rcpt(log_, tx_->msgid, tx_->envelope.sender, to.str(), reply);
    return reply;
}

// The upstream's own verdict on one recipient; the session opens with the
// first, and a failure to open it is the verdict for every recipient.
Reply LmtpFront::pass_rcpt(const std::string& rcpt) {
    if (tx_->failure) return *tx_->failure;
    if (!tx_->upstream) {
        Opened opened = connector_.open(tx_->domain, tx_->envelope);
        if (!opened.upstream) {
            tx_->failure = opened.reply;
            return opened.reply;
        }
        tx_->upstream = std::move(opened.upstream);
    }
    const Reply reply = smtp::Reply::from_upstream(tx_->upstream->rcpt(rcpt));
    if (reply.ok()) tx_->rcpts.push_back(rcpt);
    return reply;
}

Reply LmtpFront::on_data(std::string_view arg) {
    if (!tx_) return replies::need_mail;
    if (tx_->rcpts.empty()) return replies::need_rcpt;
    if (!blank(arg)) return replies::syntax_error;
    return replies::start_data;
}

Reply LmtpFront::on_rset(std::string_view) {
    tx_.reset();
    return replies::ok;
}

Reply LmtpFront::on_noop(std::string_view) { return replies::ok; }

Reply LmtpFront::on_quit(std::string_view) {
    quit_ = true;
    tx_.reset();
    return replies::bye;
}

// After 354: reads the message, hands it on, then one reply per accepted
// recipient, in order.
bool LmtpFront::receive_message() {
    std::string message;
    in_.set_max_line(config_.max_text_line);
    const smtp::DataStatus status = smtp::read_data(in_, timer_, config_.max_message, message);
    in_.set_max_line(config_.max_line);
    if (status == smtp::DataStatus::Eof) return false;
    if (status == smtp::DataStatus::Timeout) {
        send(replies::timeout);
        return false;
    }
    if (auto id = log::received_id(message); !id.empty()) tx_->msgid = id;  // smtpd's id: one id along the path
    if (status == smtp::DataStatus::Ok) answer_each(tx_->upstream->data(message), &tx_->upstream->peer());
    else answer_each(data_refusal(status), nullptr);
    tx_.reset();
    return true;
}

void LmtpFront::answer_each(const Reply& reply, const PeerInfo* peer) {
    const Reply passed = smtp::Reply::from_upstream(reply);
    for (const auto& rcpt : tx_->rcpts) {
        log_delivery(log_, tx_->msgid, tx_->envelope.sender, rcpt, peer, passed);
        send(passed);
    }
}

void LmtpFront::send(const Reply& reply) { stream_.write(reply.wire()); }

// A last reply when the peer may be gone already: a failure is ignored.
void LmtpFront::say_goodbye(const Reply& reply) noexcept {
    try {
        send(reply);
    } catch (const SysError&) {
    }
}

}  // namespace orou::forward
