#include "deliver/lmtp_server.hpp"

#include "base/error.hpp"
#include "deliver/replies.hpp"

namespace orou::deliver {

namespace {

smtp::Reply reply_for(std::string_view rcpt, const DeliveryResult& result) {
    switch (result.outcome) {
    case Outcome::Delivered: return replies::delivered(rcpt);
    case Outcome::DiskFull: return replies::disk_full(rcpt);
    case Outcome::Unsafe: return replies::unsafe_mailbox(rcpt);
    case Outcome::Refused: return replies::bad_mailbox(rcpt, result.error);
    case Outcome::Temporary: break;
    }
    return replies::mailbox_unavailable(rcpt);
}

}  // namespace

LmtpServer::LmtpServer(io::Stream& stream, Store& store, log::Logger& log, const lmtp::Limits& limits)
    : Server(stream, log, limits, "orouboros-mbox-deliver"), store_(store) {}

smtp::Reply LmtpServer::recipient(const lmtp::Transaction& tx, const smtp::Address& to) {
    const std::string rcpt = to.str();
    LocalPart local = store_.check(rcpt);
    if (local.ok()) return replies::rcpt_ok;
    log_delivery(log_, tx.msgid, tx.sender, rcpt, {Outcome::Refused, "", local.refusal, ""});
    return replies::bad_mailbox(rcpt, local.refusal);
}

smtp::DataSink& LmtpServer::begin_message(const lmtp::Transaction&) {
    try {
        spool_ = store_.new_spool();
        return *spool_;
    } catch (const SysError& e) {
        spool_failure_ = DeliveryResult{write_failure(e.code()), "", e.what(), ""};
        return discard_;
    }
}

void LmtpServer::message(const lmtp::Transaction& tx) {
    if (spool_ && !spool_->finish())
        spool_failure_ = DeliveryResult{write_failure(*spool_->error()), "", "cannot write the spool file", ""};
    if (spool_failure_) return answer_each(tx, *spool_failure_);
    for (const auto& rcpt : tx.rcpts) {
        const DeliveryResult result = store_.deliver(tx.sender, rcpt, *spool_);
        log_delivery(log_, tx.msgid, tx.sender, rcpt, result);
        send(reply_for(rcpt, result));
    }
}

void LmtpServer::refuse(const lmtp::Transaction& tx, const smtp::Reply& reply) {
    for (const auto& rcpt : tx.rcpts) {
        log_delivery(log_, tx.msgid, tx.sender, rcpt, {Outcome::Refused, "", reply.text, ""});
        send(reply);
    }
}

void LmtpServer::answer_each(const lmtp::Transaction& tx, const DeliveryResult& result) {
    for (const auto& rcpt : tx.rcpts) {
        log_delivery(log_, tx.msgid, tx.sender, rcpt, result);
        send(reply_for(rcpt, result));
    }
}

void LmtpServer::end_transaction() {
    spool_.reset();
    spool_failure_.reset();
}

}  // namespace orou::deliver
