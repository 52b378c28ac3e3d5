#include "forward/events.hpp"

#include <string>

namespace orou::forward {

namespace {

const char* result_of(const smtp::Reply& reply) {
    if (reply.ok()) return "ok";
    return reply.temporary() ? "deferred" : "refused";
}

log::Level level_of(const smtp::Reply& reply) { return reply.ok() ? log::Level::Info : log::Level::Warning; }

std::string_view or_none(const std::string& s) { return s.empty() ? std::string_view("none") : s; }

}  // namespace

void log_attempt(log::Logger& log, const PeerInfo& peer, const smtp::Reply& reply) {
    const std::string port = std::to_string(peer.port);
    log.event(level_of(reply), "attempt",
              {{"host", peer.host},
               {"address", peer.address},
               {"port", port},
               {"tls", or_none(peer.tls_version)},
               {"cipher", or_none(peer.tls_cipher)},
               {"policy", peer.policy.name},
               {"result", result_of(reply)},
               {"reply", reply.summary()}});
}

void log_policy(log::Logger& log, std::string_view domain, const PeerInfo& peer, const smtp::Reply& reply) {
    const PolicyOutcome& p = peer.policy;
    const char* held = p.name == "none" ? "none" : p.failed ? "failed" : "held";
    const log::Level level = p.failed ? log::Level::Warning : log::Level::Info;
    log.event(level, "tls-policy",
              {{"domain", domain},
               {"host", peer.host},
               {"policy", p.name},
               {"mode", p.mode},
               {"result", held},
               {"why", or_none(p.why)},
               {"reply", reply.summary()}});
}

void log_sts_lookup(log::Logger& log, std::string_view domain, const StsLookup& sts) {
    log.event(log::Level::Warning, "mta-sts",
              {{"domain", domain}, {"policy", sts.policy ? "found" : "none"}, {"error", sts.error}});
}

void log_no_route(log::Logger& log, std::string_view domain, const smtp::Reply& reply) {
    log.event(log::Level::Warning, "route",
              {{"domain", domain}, {"result", result_of(reply)}, {"reply", reply.summary()}});
}

void log_rcpt(log::Logger& log, std::string_view msgid, std::string_view sender, std::string_view rcpt,
              const smtp::Reply& reply) {
    const std::string from = "<" + std::string(sender) + ">", to = "<" + std::string(rcpt) + ">";
    log.event(level_of(reply), "rcpt",
              {{"msgid", msgid}, {"from", from}, {"to", to}, {"result", result_of(reply)}, {"reply", reply.summary()}});
}

void log_delivery(log::Logger& log, std::string_view msgid, std::string_view sender, std::string_view rcpt,
                  const PeerInfo* peer, const smtp::Reply& reply) {
    const std::string from = "<" + std::string(sender) + ">", to = "<" + std::string(rcpt) + ">";
    const std::string host = peer ? peer->host + "[" + peer->address + "]:" + std::to_string(peer->port) : "none";
    log.event(level_of(reply), "delivery",
              {{"msgid", msgid},
               {"from", from},
               {"to", to},
               {"relay", host},
               {"tls", peer ? or_none(peer->tls_version) : "none"},
               {"result", reply.ok() ? "delivered" : result_of(reply)},
               {"reply", reply.summary()}});
}

}  // namespace orou::forward
