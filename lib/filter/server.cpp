#include "filter/server.hpp"

#include <sysexits.h>

#include <csignal>

#include "base/error.hpp"
#include "filter/replies.hpp"
#include "smtp/mail_params.hpp"

namespace orou::filter {

namespace R = replies;
using smtp::Reply;

namespace {

// MAIL's argument for the next stage: what the client gave, AUTH= and
// XLOOP= only to a stage that offers them.
std::string mail_arg(const lmtp::Transaction& tx, const route::NextHop& hop) {
    std::string arg = "FROM:<" + tx.sender + ">";
    if (tx.body_given) arg += tx.eight_bit ? " BODY=8BITMIME" : " BODY=7BIT";
    if (tx.size > 0) arg += " SIZE=" + std::to_string(tx.size);
    if (!tx.loop.empty() && hop.offers(smtp::kLoopExtension)) arg += " XLOOP=" + tx.loop;
    return arg + hop.auth_param(tx.auth);
}

}  // namespace

Server::Server(io::Stream& stream, log::Logger& log, const Config& config, Filter& filter)
    : lmtp::Server(stream, log, config.session, config.program), config_(config), filter_(filter) {}

// Connects to the next stage; the reason when it cannot (4xx), logged
// with the detail.
Reply Server::open_hop() {
    auto opened = route::NextHop::open(config_.next, config_.session.hostname, config_.hop);
    if (!opened.hop) {
        log_.event(log::Level::Warning, "next-hop", {{"result", "unavailable"}, {"error", opened.detail}});
        return opened.error;
    }
    hop_ = std::move(opened.hop);
    return {250, "2.0.0", "ok"};
}

// The connection is reused across transactions while it lasts.
Reply Server::sender(const lmtp::Transaction& tx) {
    if (!hop_ || hop_->broken()) {
        hop_.reset();
        if (Reply r = open_hop(); !r.ok()) return r;
    }
    if (Reply r = hop_->xforward(tx.client); !r.ok()) return r;
    Reply r = hop_->mail(mail_arg(tx, *hop_));
    hop_has_mail_ = r.ok();
    return r;
}

Reply Server::recipient(const lmtp::Transaction&, const smtp::Address& to) {
    if (!hop_ || !hop_has_mail_) return R::no_next_hop;
    return hop_->rcpt("TO:<" + to.str() + ">");
}

smtp::DataSink& Server::begin_message(const lmtp::Transaction& tx) {
    try {
        spool_ = smtp::temp_spool();
        return *spool_;
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "spool", {{"msgid", tx.msgid}, {"error", e.what()}});
        return discard_;
    }
}

void Server::message(const lmtp::Transaction& tx) {
    if (!spool_ || !spool_->finish()) return answer_all(tx, R::spool_failed);
    const Verdict v = verdict(tx);
    if (v.refusal) {
        log_message(tx, "refused", *v.refusal);
        return answer_all(tx, *v.refusal);
    }
    send_on(tx, v);
}

Verdict Server::verdict(const lmtp::Transaction& tx) {
    const Envelope envelope{tx.sender, tx.auth, tx.rcpts, tx.client, tx.msgid};
    try {
        return filter_.check(envelope, *spool_);
    } catch (const SysError& e) {  // the spool could not be read back
        log_.event(log::Level::Error, "spool", {{"msgid", tx.msgid}, {"error", e.what()}});
        return {R::spool_failed, "", {}};
    }
}

// The message to the next stage as the verdict says, and its replies to
// the client, one per recipient.
void Server::send_on(const lmtp::Transaction& tx, const Verdict& v) {
    const Reply go = hop_->begin_data();
    if (go.code != 354) {
        const Reply reply = go.ok() ? R::next_hop_confused : go;
        log_message(tx, "refused", reply);
        return answer_all(tx, reply);
    }
    hop_has_mail_ = false;  // the next stage's transaction ends with the message
    try {
        pass_on(*spool_, v, *hop_);
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "spool", {{"msgid", tx.msgid}, {"error", e.what()}});
        hop_->abandon();
    }
    const std::vector<Reply> replies = hop_->end_data(tx.rcpts.size());
    for (const Reply& r : replies) send(r);
    log_message(tx, "passed", replies.empty() ? R::no_next_hop : replies.front());
}

void Server::refuse(const lmtp::Transaction& tx, const Reply& reply) {
    log_message(tx, "refused", reply);
    answer_all(tx, reply);
}

void Server::answer_all(const lmtp::Transaction& tx, const Reply& reply) {
    for (std::size_t i = 0; i < tx.rcpts.size(); ++i) send(reply);
}

// The next stage's open transaction is reset, so the connection serves
// the next one.
void Server::end_transaction() {
    spool_.reset();
    if (hop_ && hop_has_mail_) hop_->rset();
    hop_has_mail_ = false;
}

void Server::log_message(const lmtp::Transaction& tx, std::string_view result, const Reply& reply) {
    log_.event(log::Level::Info, "message",
               {{"msgid", tx.msgid},
                {"from", tx.sender},
                {"rcpts", std::to_string(tx.rcpts.size())},
                {"auth", tx.auth.empty() ? "no" : "yes"},
                {"result", std::string(result)},
                {"reply", reply.summary()}});
}

int serve(const Config& config, Filter& filter, log::Logger& log) {
    std::signal(SIGPIPE, SIG_IGN);  // a gone peer is an EPIPE error, not a kill
    return lmtp::serve_stage(config.pool, log, [&](int in, int out) {
        io::FdStream peer(in, out);
        Server(peer, log, config, filter).run();
        return EX_OK;
    });
}

}  // namespace orou::filter
