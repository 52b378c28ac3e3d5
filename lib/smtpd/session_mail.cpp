// The transaction: MAIL, RCPT (routed, and passed on to the next hop as it
// arrives), DATA (answered only with the next hop's verdict).
#include <algorithm>
#include <ctime>

#include "auth/senders.hpp"
#include "smtp/data_reader.hpp"
#include "smtp/mail_params.hpp"
#include "smtpd/privacy.hpp"
#include "smtpd/replies.hpp"
#include "smtpd/session.hpp"

namespace orou::smtpd {

namespace R = replies;
using smtp::Reply;

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    for (const auto& e : list)
        if (lower(e) == s) return true;
    return false;
}

std::string rfc5322_date() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
    return buf;
}

// The verdict for the client from the next hop's per-recipient replies:
// all 2xx -> 250; any 4xx -> 451 with its text; else the refusals' own
// code when they agree (550 for a policy refusal), 554 when they do not.
Reply combine(const std::vector<Reply>& replies, const std::string& id) {
    for (const auto& r : replies)
        if (r.temporary()) return {451, r.status.empty() ? "4.3.0" : r.status, r.text};
    const Reply* refusal = nullptr;
    bool agree = true;
    for (const auto& r : replies) {
        if (r.ok()) continue;
        agree = agree && (!refusal || r.code == refusal->code);
        if (!refusal) refusal = &r;
    }
    if (!refusal) return R::accepted(id);
    const int code = agree && refusal->code / 100 == 5 ? refusal->code : 554;
    return {code, refusal->status.empty() || refusal->status[0] != '5' ? "5.3.0" : refusal->status, refusal->text};
}

// The reply to a message the DATA reader refused; Timeout's is the
// session's last.
Reply data_refusal(smtp::DataStatus status) {
    switch (status) {
    case smtp::DataStatus::Ok: break;
    case smtp::DataStatus::TooBig: return R::message_too_big;
    case smtp::DataStatus::BareCrOrLf: return R::data_bare_line_end;
    case smtp::DataStatus::TooLong: return R::data_line_too_long;
    case smtp::DataStatus::Nul: return R::data_nul;
    case smtp::DataStatus::TooManyHops: return R::too_many_hops;
    case smtp::DataStatus::HeaderTooBig: return R::header_too_big;
    case smtp::DataStatus::Timeout: return R::timeout;
    case smtp::DataStatus::Eof: break;
    }
    return R::connection_lost;
}

}  // namespace

bool Session::sender_blocked(const smtp::Address& from) const {
    if (from.null()) return false;
    return contains(config_.blocked_senders, lower(from.str())) ||
           contains(config_.blocked_sender_domains, from.domain);
}

// The reply that refuses this sender, logged, or nullopt.
std::optional<Reply> Session::refuse_sender(const smtp::Address& from, const std::vector<std::string>& trail) {
    if (loops(trail)) {
        services_.log.event(log::Level::Warning, "mail",
                            {{"client", peer_.address}, {"from", from.str()}, {"result", "loop"}});
        return R::mail_loop;
    }
    if (sender_blocked(from)) {
        services_.log.event(log::Level::Info, "mail", {{"from", from.str()}, {"result", "blocked"}});
        return R::sender_blocked;
    }
    if (!sender_owned(from)) {
        services_.log.event(
            log::Level::Warning, "mail",
            {{"client", peer_.address}, {"user", *auth_user_}, {"from", from.str()}, {"result", "not-owned"}});
        return count_error(R::sender_not_owned);
    }
    return std::nullopt;
}

// After AUTH: the null sender, a sender mapped to the user, or, with none
// mapped, an address of an own domain (Postfix's
// reject_sender_login_mismatch lets <> through too).
bool Session::sender_owned(const smtp::Address& from) const {
    if (!auth_user_ || from.null()) return true;
    if (auth_senders_.empty()) return router_.own_domain(from.domain);
    return auth::sender_mapped(auth_senders_, from);
}

Reply Session::on_mail(std::string_view arg) {
    if (state_ == State::Fresh) return count_error(R::need_ehlo);
    if (tx_) return count_error(R::nested_mail);
    if (config_.require_auth && !auth_user_) return count_error(R::auth_required);
    auto parsed = smtp::parse_path(arg, "FROM", true);
    if (parsed.error == smtp::PathError::Syntax) return count_error(R::path_syntax);
    if (parsed.error == smtp::PathError::BadAddress) return count_error(R::bad_sender_syntax);
    if (parsed.error == smtp::PathError::BadParam) return count_error(R::bad_param);
    const smtp::MailParams params = smtp::parse_mail_params(parsed.path->params, config_.limits.max_message);
    if (params.error == smtp::MailParamError::TooBig) return R::message_too_big;
    if (params.error != smtp::MailParamError::None) return count_error(R::bad_param);
    std::string from_arg = "FROM:<" + parsed.path->address.str() + ">" + params.body_param();
    const auto& from = parsed.path->address;
    if (auto refusal = refuse_sender(from, params.loop)) return *refusal;
    services_.log.event(log::Level::Info, "mail", {{"from", from.str()}});
    tx_ = Transaction{*parsed.path, from_arg, params.loop_param(services_.loop_id), std::nullopt, false, {}};
    state_ = State::Mail;
    return R::sender_ok;
}

// The transaction has been here before, or through as many smtpds as
// messages may pass (smtp/mail_params.hpp: XLOOP).
bool Session::loops(const std::vector<std::string>& trail) const {
    const bool here =
        !services_.loop_id.empty() && std::find(trail.begin(), trail.end(), services_.loop_id) != trail.end();
    return here || trail.size() >= static_cast<std::size_t>(config_.limits.max_hops);
}

// What the client hears of a next hop's reply: a stranger a fixed text, the
// owner the detail; the log has the detail whenever the client does not.
Reply Session::heard(const Reply& from_next_hop) {
    Reply r = for_client(from_next_hop, auth_user_.has_value());
    if (r.text != from_next_hop.text)
        services_.log.event(log::Level::Info, "next-hop", {{"reply", from_next_hop.summary()}});
    return r;
}

const std::string& Session::route_spec(route::Kind kind) const {
    switch (kind) {
    case route::Kind::Local: return config_.local_route;
    case route::Kind::Forward: return config_.forward_route;
    case route::Kind::Relay: break;
    }
    return config_.relay_route;
}

// Makes hop_ a live session to the route's stage with this transaction's
// MAIL given; a failure is the reply for the RCPT.  The connection of the
// transaction before is kept for the next one; when the stage has closed
// it meanwhile (its idle timeout, a worker that ended), a new one is
// opened once.
Reply Session::open_hop(route::Kind kind) {
    if (route_spec(kind).empty())
        return kind == route::Kind::Relay ? R::relay_unconfigured : R::route_unconfigured(route::kind_name(kind));
    if (hop_ && tx_->hop_has_mail && hop_kind_ == kind && !hop_->broken()) return R::ok;
    if (hop_ && (hop_kind_ != kind || hop_->broken() || tx_->hop_has_mail)) hop_.reset();
    tx_->hop_has_mail = false;
    const bool kept = hop_ != nullptr;
    if (!hop_) {
        auto opened = route::NextHop::open(route_spec(kind), config_.hostname, config_.hop_timeouts);
        if (!opened.hop) {  // the detail may name a socket or command: the log's, not the client's
            services_.log.event(
                log::Level::Warning, "next-hop",
                {{"route", route::kind_name(kind)}, {"result", "unavailable"}, {"error", opened.detail}});
            return heard(opened.error);
        }
        hop_ = std::move(opened.hop);
        hop_kind_ = kind;
    }
    const Reply facts = hop_->xforward(client_facts());
    Reply mail = facts.ok() ? hop_->mail(tx_->from_arg + (hop_->offers(smtp::kLoopExtension) ? tx_->loop_arg : "") +
                                         hop_->auth_param(auth_user_.value_or("")))
                            : facts;
    if (!mail.ok() && kept && hop_->broken()) {
        hop_.reset();
        return open_hop(kind);
    }
    if (!mail.ok()) return heard(mail);
    tx_->hop_has_mail = true;
    return R::ok;
}

// What a stage that offers XFORWARD hears of the client (no name: smtpd
// looks none up).
smtp::ClientFacts Session::client_facts() const {
    const bool ip = peer_.address.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos;
    return {.name = "",
            .addr = ip ? peer_.address : "",
            .helo = helo_name_,
            .proto = esmtp_ ? "ESMTP" : "SMTP",
            .ident = services_.log.sid()};
}

// RFC 5321 4.5.1: <postmaster> without a domain must be accepted; it
// means the postmaster of our first own domain.
std::optional<smtp::Address> Session::bare_postmaster(std::string_view arg) const {
    std::string flat;
    for (char c : arg)
        if (c != ' ') flat += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto& d = config_.domains;
    if (flat != "to:<postmaster>" || (d.delivery.empty() && d.forward.empty())) return std::nullopt;
    auto domain = smtp::normalize_domain(d.delivery.empty() ? d.forward.front() : d.delivery.front());
    return smtp::Address{"postmaster", domain.value_or("")};
}

// Outbound mail goes to one destination domain per transaction, so that
// one MX answers DATA for every recipient.
bool Session::other_destination(const smtp::Address& to) const {
    return tx_->route == route::Kind::Relay && !tx_->rcpts.empty() && tx_->rcpts.front().domain != to.domain;
}

Reply Session::on_rcpt(std::string_view arg) {
    if (!tx_) return count_error(R::need_mail);
    auto parsed = smtp::parse_path(arg, "TO", false);
    if (auto postmaster = bare_postmaster(arg)) parsed = {smtp::Path{*postmaster, {}}, smtp::PathError::None};
    if (parsed.error == smtp::PathError::Syntax) return count_error(R::path_syntax);
    if (parsed.error == smtp::PathError::BadAddress) return count_error(R::bad_rcpt_syntax);
    if (parsed.error == smtp::PathError::BadParam || !parsed.path->params.empty()) return count_error(R::bad_param);
    const smtp::Address& to = parsed.path->address;
    if (tx_->rcpts.size() >= config_.limits.max_rcpts) return R::too_many_rcpts;
    auto kind = router_.route(to, auth_user_.has_value());
    Reply reply = R::relay_denied;
    if (!kind) {
        reply = count_error(reply);
    } else if (tx_->route && (*tx_->route != *kind || other_destination(to))) {
        reply = R::other_route;
    } else if (reply = open_hop(*kind); reply.ok()) {
        reply = heard(hop_->rcpt("TO:<" + to.str() + ">"));
        if (reply.ok()) {
            tx_->rcpts.push_back(to);
            tx_->route = kind;
        } else {
            reply = count_error(reply);  // the next hop refused it: an unknown user, say
        }
    }
    services_.log.event(log::Level::Info, "rcpt",
                        {{"client", peer_.address},
                         {"from", tx_->from.address.str()},
                         {"to", to.str()},
                         {"route", kind ? route::kind_name(*kind) : "none"},
                         {"reply", reply.summary()}});
    return reply;
}

Reply Session::on_data(std::string_view arg) {
    if (!tx_) return count_error(R::need_mail);
    if (!arg.empty()) return count_error(R::no_args);
    if (tx_->rcpts.empty()) return count_error(R::no_valid_rcpts);
    Reply go = hop_->begin_data();
    if (go.code != R::start_data.code) {
        Reply reply = go.ok() ? R::next_hop_confused : heard(go);
        services_.log.event(log::Level::Info, "data", {{"reply", reply.summary()}});
        reset_transaction();
        return reply;
    }
    tx_->hop_has_mail = false;  // the hop's transaction ends with the message, or with the connection
    send(R::start_data);
    const std::string id = services_.log.sid() + "." + std::to_string(++messages_);
    const std::string received = received_header(id);
    smtp::for_each_line(received, [&](std::string_view line) { hop_->line(line); });
    // Our own Received header counts, as it does where Postfix counts hops
    // (cleanup), so the stage never sees more than the limits.
    const auto& l = config_.limits;
    const smtp::DataLimits limits{l.max_message, l.max_header - std::min(l.max_header, received.size()),
                                  l.max_hops - 1};
    reader_.set_max_line(l.max_text_line);
    const smtp::DataStatus st = smtp::read_data(reader_, timer_, limits, *hop_);
    reader_.set_max_line(l.max_line);
    Reply reply = st == smtp::DataStatus::Ok ? combine(hop_->end_data(tx_->rcpts.size()), id) : data_refusal(st);
    if (st == smtp::DataStatus::Ok && !reply.ok()) reply = heard(reply);
    if (st == smtp::DataStatus::Timeout || st == smtp::DataStatus::Eof) state_ = State::Over;
    log_message(id, reply);
    if (st != smtp::DataStatus::Ok) hop_.reset();  // abandoned: the stage rolled back
    reset_transaction();
    if (st == smtp::DataStatus::Eof) return {0, "", ""};  // no one to answer
    return reply;
}

void Session::log_message(const std::string& id, const Reply& reply) const {
    services_.log.event(log::Level::Info, "data",
                        {{"msgid", id},
                         {"from", tx_->from.address.str()},
                         {"rcpts", std::to_string(tx_->rcpts.size())},
                         {"reply", reply.summary()}});
}

std::string Session::protocol_name() const {
    std::string p = esmtp_ ? "ESMTP" : "SMTP";
    if (tls_ && esmtp_) p += "S";
    if (auth_user_ && esmtp_) p += "A";
    return p;
}

std::string Session::received_header(const std::string& id) const {
    std::string h = "Received: ";
    bool hide = auth_user_ && !config_.keep_submitter_address;
    bool ip = peer_.address.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos;
    std::string where = ip ? "[" + peer_.address + "]" : peer_.address;
    if (!hide) h += "from " + log::escape(helo_name_) + " (" + where + ")\r\n\t";
    h += "by " + config_.hostname + " (Orouboros) with " + protocol_name();
    if (tls_) h += "\r\n\t(" + tls_->version() + " cipher " + tls_->cipher() + ")";
    h += "\r\n\tid " + id;
    if (tx_->rcpts.size() == 1) h += "\r\n\tfor <" + tx_->rcpts.front().str() + ">";
    h += "; " + rfc5322_date() + "\r\n";
    return h;
}

}  // namespace orou::smtpd
