#include "smtpd/session.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <thread>

#include "base/error.hpp"
#include "smtp/mail_params.hpp"
#include "smtpd/replies.hpp"

namespace orou::smtpd {

namespace R = replies;
using smtp::Reply;

namespace {

const Reply kAnswered{0, "", ""};  // the handler has answered itself

constexpr int kMaxErrorSteps = 10;  // the longest wait after an error: ten times --error-sleep-ms

struct Verb {
    std::string_view name;
    Reply (Session::*handler)(std::string_view);
};

constexpr Verb kVerbs[] = {
    {"EHLO", &Session::on_ehlo},    {"HELO", &Session::on_helo},        {"STARTTLS", &Session::on_starttls},
    {"AUTH", &Session::on_auth},    {"MAIL", &Session::on_mail},        {"RCPT", &Session::on_rcpt},
    {"DATA", &Session::on_data},    {"RSET", &Session::on_rset},        {"NOOP", &Session::on_noop},
    {"VRFY", &Session::on_vrfy},    {"HELP", &Session::on_help},        {"QUIT", &Session::on_quit},
    {"GET", &Session::on_not_smtp}, {"POST", &Session::on_not_smtp},    {"HEAD", &Session::on_not_smtp},
    {"PUT", &Session::on_not_smtp}, {"CONNECT", &Session::on_not_smtp},
};

}  // namespace

Session::Session(const Config& config, Services services, io::Stream& plain, Peer peer)
    : config_(config),
      services_(services),
      plain_(plain),
      peer_(std::move(peer)),
      router_(config.domains),
      timer_{config.limits.idle, io::Clock::now() + config.limits.session},
      stream_(&plain),
      reader_(plain, config.limits.max_line) {}

Session::~Session() = default;

void Session::run() {
    services_.log.event(log::Level::Info, "connect", {{"client", peer_.address}, {"port", peer_.port}});
    try {
        serve();
        flush();
    } catch (const SysError& e) {
        services_.log.event(log::Level::Info, "lost", {{"reason", e.what()}});
    } catch (const std::exception& e) {
        services_.log.event(log::Level::Error, "failure", {{"reason", e.what()}});
        try {
            out_.clear();
            send(R::internal_error);
        } catch (...) {
            // the client is gone too
        }
    }
    hop_.reset();
    if (tls_) tls_->close();
    services_.log.event(log::Level::Info, "disconnect", {{"messages", std::to_string(messages_)}});
}

void Session::serve() {
    if (config_.tls == TlsMode::Implicit && !start_tls()) return;
    if (config_.tls != TlsMode::Implicit && peer_.is_socket) discard_pregreet();
    send(R::greeting(config_.hostname));
    std::string line;
    while (state_ != State::Over) {
        io::LineStatus st = reader_.next(line, timer_.next());
        switch (st) {
        case io::LineStatus::Ok: dispatch(line); break;
        case io::LineStatus::Timeout: send(R::timeout); return;
        case io::LineStatus::Eof: return;
        case io::LineStatus::TooLong: send(count_error(R::line_too_long)); break;
        case io::LineStatus::BareCrOrLf: send(count_error(R::bare_line_end)); break;
        case io::LineStatus::Nul: send(count_error(R::nul_byte)); break;
        }
        if (errors_ >= config_.limits.max_errors && state_ != State::Over) {
            services_.log.event(log::Level::Warning, "too-many-errors",
                                {{"client", peer_.address}, {"errors", std::to_string(errors_)}});
            send(R::too_many_errors);
            return;
        }
    }
}

void Session::dispatch(const std::string& line) {
    auto [verb, arg] = smtp::split_command(line);
    for (const auto& v : kVerbs) {
        if (v.name != verb) continue;
        Reply reply = (this->*v.handler)(arg);
        if (reply.code != 0) send(reply);
        return;
    }
    services_.log.event(log::Level::Debug, "unknown-command", {{"verb", verb.substr(0, 32)}});
    send(count_error(R::bad_command));
}

Reply Session::count_error(Reply reply) {
    ++errors_;
    if (errors_ > config_.limits.soft_errors && errors_ < config_.limits.max_errors) pause_after_error();
    return reply;
}

// Past the soft limit an error's reply waits, a step longer after each
// error (at most kMaxErrorSteps steps, and never one idle period), and
// never past the end of the session.
void Session::pause_after_error() {
    const auto& l = config_.limits;
    const int steps = std::min(errors_ - l.soft_errors, kMaxErrorSteps);
    const io::Clock::duration delay = std::min<io::Clock::duration>(l.error_sleep * steps, l.idle);
    if (delay <= io::Clock::duration::zero()) return;
    std::this_thread::sleep_until(std::min(io::Clock::now() + delay, timer_.end));
}

// A command that does nothing counts; past the limit the session ends.
bool Session::junk_over_limit() {
    if (++junk_ <= config_.limits.max_junk) return false;
    services_.log.event(log::Level::Warning, "too-many-errors",
                        {{"client", peer_.address}, {"commands", std::to_string(junk_)}});
    state_ = State::Over;
    return true;
}

void Session::send(const Reply& reply) {
    out_ += reply.wire();
    if (!reader_.has_buffered() || reply.code == 354 || reply.code == 334) flush();
}

void Session::flush() {
    if (out_.empty()) return;
    std::string data;
    data.swap(out_);
    stream_->write(data);
}

// Input that arrives before the greeting, or within --greet-wait-ms of
// the connection, is from a client that does not wait its turn: it is
// dropped, never executed.
void Session::discard_pregreet() {
    // 1 KiB at a time, up to 256 KiB as before: 4 KiB on the stack took a
    // forked session one more page of stack (a page fault of its own).
    std::array<char, 1024> buf;
    std::size_t dropped = 0;
    for (int i = 0; i < 256; ++i) {
        pollfd p{peer_.in_fd, POLLIN, 0};
        const int wait = i == 0 ? static_cast<int>(config_.limits.greet_wait.count()) : 0;
        if (::poll(&p, 1, wait) <= 0 || !(p.revents & POLLIN)) break;
        ssize_t n = ::recv(peer_.in_fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n <= 0) break;
        dropped += static_cast<std::size_t>(n);
    }
    if (dropped > 0)
        services_.log.event(log::Level::Warning, "pregreet",
                            {{"client", peer_.address}, {"dropped", std::to_string(dropped)}});
}

bool Session::start_tls() {
    SSL_CTX* ctx = tls_context();
    if (!ctx) return false;
    tls_ = std::make_unique<tls::TlsStream>(ctx, peer_.in_fd, peer_.out_fd);
    if (!tls_->accept(io::Clock::now() + config_.limits.idle)) {
        services_.log.event(log::Level::Info, "tls-failed", {{"reason", tls_->error()}});
        return false;
    }
    stream_ = tls_.get();
    reader_.set_stream(*tls_);
    services_.log.event(log::Level::Info, "tls", {{"version", tls_->version()}, {"cipher", tls_->cipher()}});
    return true;
}

SSL_CTX* Session::tls_context() {
    try {
        return services_.tls->get();
    } catch (const ConfigError& e) {  // read at the start, but not a certificate and key that load
        services_.log.event(log::Level::Error, "tls-unavailable", {{"reason", e.what()}});
        return nullptr;
    }
}

Reply Session::on_ehlo(std::string_view arg) {
    if (arg.empty()) return count_error(R::need_domain);
    reset_transaction();
    helo_name_ = std::string(arg.substr(0, 255));
    esmtp_ = true;
    state_ = State::Greeted;
    services_.log.event(log::Level::Debug, "ehlo", {{"name", helo_name_}});
    std::string text = config_.hostname + "\nPIPELINING\nSIZE " + std::to_string(config_.limits.max_message) +
                       "\n8BITMIME\n" + smtp::kLoopExtension + "\nENHANCEDSTATUSCODES";
    if (config_.tls == TlsMode::StartTls && !tls_ && services_.tls) text += "\nSTARTTLS";
    if (services_.checker && (tls_ || config_.allow_plaintext_auth)) text += "\nAUTH PLAIN LOGIN";
    return {250, "", text};
}

Reply Session::on_helo(std::string_view arg) {
    if (arg.empty()) return count_error(R::need_domain);
    reset_transaction();
    helo_name_ = std::string(arg.substr(0, 255));
    esmtp_ = false;
    state_ = State::Greeted;
    return R::helo(config_.hostname);
}

Reply Session::on_starttls(std::string_view arg) {
    if (!arg.empty()) return count_error(R::no_args);
    if (tls_) return count_error(R::already_tls);
    if (config_.tls != TlsMode::StartTls || !services_.tls || peer_.in_fd < 0) return count_error(R::tls_unavailable);
    if (!tls_context()) return R::tls_unavailable;
    out_ += R::ready_tls.wire();
    flush();
    reader_.discard_buffered();  // commands pipelined after STARTTLS are never run
    if (!start_tls()) {
        state_ = State::Over;
        return kAnswered;
    }
    // RFC 3207 4.2: forget everything learnt before TLS.
    reset_transaction();
    state_ = State::Fresh;
    helo_name_.clear();
    auth_user_.reset();
    return kAnswered;
}

Reply Session::on_rset(std::string_view) {
    if (junk_over_limit()) return R::too_many_junk_commands;
    reset_transaction();
    if (state_ == State::Mail) state_ = State::Greeted;
    return R::ok;
}

Reply Session::on_noop(std::string_view) { return junk_over_limit() ? R::too_many_junk_commands : R::ok; }
Reply Session::on_vrfy(std::string_view) { return junk_over_limit() ? R::too_many_junk_commands : R::vrfy; }
Reply Session::on_help(std::string_view) { return junk_over_limit() ? R::too_many_junk_commands : R::help; }

Reply Session::on_quit(std::string_view) {
    state_ = State::Over;
    return R::bye(config_.hostname);
}

Reply Session::on_not_smtp(std::string_view) {
    state_ = State::Over;
    return R::not_smtp;
}

void Session::reset_transaction() {
    if (tx_ && tx_->hop_has_mail && hop_) hop_->rset();
    tx_.reset();
    if (state_ == State::Mail) state_ = State::Greeted;
}

}  // namespace orou::smtpd
