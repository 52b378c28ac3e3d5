#include "forward/lmtp_front.hpp"

#include "forward/events.hpp"
#include "forward/replies.hpp"

namespace orou::forward {

using smtp::Reply;

LmtpFront::LmtpFront(io::Stream& stream, Connector& connector, log::Logger& log, const lmtp::Limits& limits)
    : Server(stream, log, limits, "orouboros-forward"), connector_(connector) {}

Reply LmtpFront::recipient(const lmtp::Transaction& tx, const smtp::Address& to) {
    if (domain_.empty()) domain_ = to.domain;
    if (connector_.one_domain_per_transaction() && to.domain != domain_) return replies::other_domain;
    const Reply reply = pass_rcpt(tx, to.str());
    log_rcpt(log_, tx.msgid, tx.sender, to.str(), reply);
    return reply;
}

// The upstream's own verdict on one recipient; the session opens with the
// first, and a failure to open it is the verdict for every recipient.
Reply LmtpFront::pass_rcpt(const lmtp::Transaction& tx, const std::string& rcpt) {
    if (failure_) return *failure_;
    if (!upstream_) {
        Opened opened = connector_.open(domain_, Envelope{tx.sender, tx.eight_bit, tx.size, tx.loop});
        if (!opened.upstream) {
            failure_ = opened.reply;
            return opened.reply;
        }
        upstream_ = std::move(opened.upstream);
    }
    return Reply::from_upstream(upstream_->rcpt(rcpt));
}

smtp::DataSink& LmtpFront::begin_message(const lmtp::Transaction&) {
    if (!upstream_) return discard_;  // no recipient was accepted through it
    if (Reply go = upstream_->begin_data(); go.code != 354) {
        failure_ = go;
        return discard_;
    }
    return *upstream_;
}

void LmtpFront::message(const lmtp::Transaction& tx) {
    if (failure_ || !upstream_) return answer_each(tx, failure_.value_or(replies::no_upstream), nullptr);
    answer_each(tx, upstream_->end_data(), &upstream_->peer());
}

// The upstream has been abandoned already (the sink was told).
void LmtpFront::refuse(const lmtp::Transaction& tx, const Reply& reply) { answer_each(tx, reply, nullptr); }

void LmtpFront::answer_each(const lmtp::Transaction& tx, const Reply& reply, const PeerInfo* peer) {
    const Reply passed = Reply::from_upstream(reply);
    for (const auto& rcpt : tx.rcpts) {
        log_delivery(log_, tx.msgid, tx.sender, rcpt, peer, passed);
        send(passed);
    }
}

// Ends the upstream session still open (QUIT).
void LmtpFront::end_transaction() {
    upstream_.reset();
    failure_.reset();
    domain_.clear();
}

}  // namespace orou::forward
