#include "forward/sendmail_mode.hpp"

#include <sysexits.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "base/error.hpp"
#include "deliver/sendmail.hpp"
#include "forward/events.hpp"
#include "forward/exit_status.hpp"
#include "smtp/address.hpp"
#include "smtp/spool.hpp"

namespace orou::forward {

namespace {

struct Group {
    std::string domain;
    std::vector<std::string> rcpts;
};

// An address from the command line, checked like one from MAIL or RCPT.
std::string checked_address(std::string_view given, std::string_view keyword) {
    std::string_view a = given;
    if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
    const bool sender = keyword == "FROM";
    if (sender && a.empty()) return "";
    auto parsed = smtp::parse_path(std::string(keyword) + ":<" + std::string(a) + ">", keyword, sender);
    if (!parsed.path || !parsed.path->params.empty())
        throw ExitError(EX_USAGE,
                        std::string("bad ") + (sender ? "sender" : "recipient") + " address " + log::escape(given));
    return parsed.path->address.str();
}

// One group for a fixed upstream; one per domain, in order, for MX.
std::vector<Group> group_rcpts(const std::vector<std::string>& given, bool by_domain) {
    std::vector<Group> groups;
    for (const auto& g : given) {
        std::string rcpt = checked_address(g, "TO");
        std::string domain = rcpt.substr(rcpt.rfind('@') + 1);
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const Group& x) { return !by_domain || x.domain == domain; });
        if (it == groups.end()) it = groups.insert(groups.end(), Group{domain, {}});
        it->rcpts.push_back(std::move(rcpt));
    }
    return groups;
}

[[noreturn]] void fail(const smtp::Reply& reply, std::string_view what) {
    throw ExitError(exit_for_upstream(reply), std::string(what) + ": " + reply.summary());
}

// A session with every recipient of the group accepted; throws otherwise.
std::unique_ptr<Upstream> open_group(Connector& connector, log::Logger& log, std::string_view msgid,
                                     const Envelope& envelope, const Group& group) {
    Opened opened = connector.open(group.domain, envelope);
    if (!opened.upstream) {
        for (const auto& rcpt : group.rcpts) log_rcpt(log, msgid, envelope.sender, rcpt, opened.reply);
        fail(opened.reply, "no session for " + group.domain);
    }
    for (const auto& rcpt : group.rcpts) {
        const smtp::Reply reply = opened.upstream->rcpt(rcpt);
        log_rcpt(log, msgid, envelope.sender, rcpt, reply);
        if (!reply.ok()) fail(reply, "recipient <" + rcpt + "> refused");
    }
    return std::move(opened.upstream);
}

}  // namespace

int forward_from_stream(Connector& connector, log::Logger& log, const SendmailRequest& request, io::Stream& in,
                        const io::Timer& timer) {
    const std::string msgid = log::new_id();
    const std::string sender = checked_address(request.sender, "FROM");
    const std::vector<Group> groups = group_rcpts(request.rcpts, connector.one_domain_per_transaction());
    const std::unique_ptr<smtp::Spool> message = smtp::temp_spool();
    deliver::read_message(in, timer, request.max_message, *message);
    if (!message->finish())
        throw ExitError(EX_TEMPFAIL, std::string("cannot write the spool file: ") + std::strerror(*message->error()));
    const Envelope envelope{sender, message->eight_bit(), message->size()};
    std::vector<std::unique_ptr<Upstream>> sessions;
    for (const auto& group : groups) sessions.push_back(open_group(connector, log, msgid, envelope, group));
    std::optional<smtp::Reply> failure;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const smtp::Reply reply = send_message(*sessions[i], *message);
        for (const auto& rcpt : groups[i].rcpts)
            log_delivery(log, msgid, envelope.sender, rcpt, &sessions[i]->peer(), reply);
        if (!reply.ok() && (!failure || (reply.temporary() && !failure->temporary()))) failure = reply;
    }
    if (failure) fail(*failure, "message refused");
    return EX_OK;
}

}  // namespace orou::forward
