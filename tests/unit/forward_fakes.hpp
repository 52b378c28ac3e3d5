// Fakes behind the seams of orouboros-forward: a Resolver answering from
// tables, and a Connector whose upstreams give scripted verdicts and write
// what they were asked into one shared transcript.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "forward/resolver.hpp"
#include "forward/upstream.hpp"

namespace orou::test {

class FakeResolver final : public forward::Resolver {
public:
    std::map<std::string, forward::MxAnswer> mx_answers;            // missing: NoData
    std::map<std::string, forward::AddressAnswer> address_answers;  // missing: NotFound
    std::map<std::string, forward::TlsaAnswer> tlsa_answers;        // missing: NoData
    std::map<std::string, forward::TxtAnswer> txt_answers;          // missing: NoData
    std::vector<std::string> asked;

    forward::MxAnswer mx(std::string_view domain, io::Deadline) override {
        asked.push_back("MX " + std::string(domain));
        auto it = mx_answers.find(std::string(domain));
        return it == mx_answers.end() ? forward::MxAnswer{forward::DnsStatus::NoData, {}, "no MX"} : it->second;
    }
    forward::AddressAnswer addresses(std::string_view host, io::Deadline) override {
        asked.push_back("A " + std::string(host));
        auto it = address_answers.find(std::string(host));
        return it == address_answers.end() ? forward::AddressAnswer{forward::DnsStatus::NotFound, {}, "NXDOMAIN"}
                                           : it->second;
    }
    forward::TlsaAnswer tlsa(std::string_view host, unsigned port, io::Deadline) override {
        const std::string name = "_" + std::to_string(port) + "._tcp." + std::string(host);
        asked.push_back("TLSA " + name);
        auto it = tlsa_answers.find(name);
        return it == tlsa_answers.end() ? forward::TlsaAnswer{forward::DnsStatus::NoData, {}, "no TLSA"} : it->second;
    }
    forward::TxtAnswer txt(std::string_view name, io::Deadline) override {
        asked.push_back("TXT " + std::string(name));
        auto it = txt_answers.find(std::string(name));
        return it == txt_answers.end() ? forward::TxtAnswer{forward::DnsStatus::NoData, {}, "no TXT"} : it->second;
    }
};

struct Script {
    std::optional<smtp::Reply> open_failure;          // the Connector's reply instead of a session
    std::map<std::string, smtp::Reply> rcpt_replies;  // missing: 250 2.1.5
    smtp::Reply data_reply{250, "2.0.0", "queued as 1"};
    std::vector<std::string> transcript;  // OPEN, RCPT, DATA, QUIT in order
};

class FakeUpstream final : public forward::Upstream {
public:
    explicit FakeUpstream(Script& script) : script_(script) {}
    ~FakeUpstream() override {
        if (!abandoned_) script_.transcript.push_back("QUIT");
    }
    smtp::Reply rcpt(std::string_view rcpt) override {
        script_.transcript.push_back("RCPT " + std::string(rcpt));
        auto it = script_.rcpt_replies.find(std::string(rcpt));
        return it == script_.rcpt_replies.end() ? smtp::Reply{250, "2.1.5", "ok"} : it->second;
    }
    smtp::Reply begin_data() override {
        message_.clear();
        return {354, "", "go ahead"};
    }
    void line(std::string_view text) override { message_.append(text).append("\r\n"); }
    smtp::Reply end_data() override {
        script_.transcript.push_back("DATA " + message_);
        return script_.data_reply;
    }
    void abandon() override {
        script_.transcript.push_back("ABANDON");
        abandoned_ = true;
    }
    const forward::PeerInfo& peer() const override { return peer_; }

private:
    Script& script_;
    std::string message_;
    bool abandoned_ = false;
    forward::PeerInfo peer_{"mx.test", "192.0.2.1", 25, "TLSv1.3", "TLS_AES_256_GCM_SHA384"};
};

class FakeConnector final : public forward::Connector {
public:
    FakeConnector(Script& script, bool one_domain) : script_(script), one_domain_(one_domain) {}
    forward::Opened open(std::string_view domain, const forward::Envelope& envelope) override {
        std::string line = "OPEN " + std::string(domain) + " <" + envelope.sender + ">";
        if (envelope.eight_bit) line += " 8BITMIME";
        if (envelope.size) line += " SIZE=" + std::to_string(envelope.size);
        script_.transcript.push_back(line);
        if (script_.open_failure) return {nullptr, *script_.open_failure};
        return {std::make_unique<FakeUpstream>(script_), {250, "2.1.0", "sender ok"}};
    }
    bool one_domain_per_transaction() const override { return one_domain_; }

private:
    Script& script_;
    bool one_domain_;
};

}  // namespace orou::test
