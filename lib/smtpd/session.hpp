// One SMTP session: an explicit state machine, one handler per verb that
// checks first and then acts.  Input comes only through the bounded
// LineReader; replies are buffered while the client pipelines.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/checker.hpp"
#include "io/line_reader.hpp"
#include "io/stream.hpp"
#include "log/log.hpp"
#include "route/next_hop.hpp"
#include "route/router.hpp"
#include "smtp/address.hpp"
#include "smtp/reply.hpp"
#include "smtpd/config.hpp"
#include "tls/tls.hpp"

namespace orou::smtpd {

struct Services {
    auth::Checker* checker;   // null: no AUTH offered
    tls::ServerContext* tls;  // null: no TLS
    log::Logger& log;
    std::string loop_id = "";  // this smtpd in the XLOOP trail (smtp/mail_params.hpp); "": none
};

class Session {
public:
    Session(const Config& config, Services services, io::Stream& plain, Peer peer);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    // Serves the whole session; returns when it is over.
    void run();

    // Handlers, public for the verb table.
    smtp::Reply on_ehlo(std::string_view arg);
    smtp::Reply on_helo(std::string_view arg);
    smtp::Reply on_starttls(std::string_view arg);
    smtp::Reply on_auth(std::string_view arg);
    smtp::Reply on_mail(std::string_view arg);
    smtp::Reply on_rcpt(std::string_view arg);
    smtp::Reply on_data(std::string_view arg);
    smtp::Reply on_rset(std::string_view arg);
    smtp::Reply on_noop(std::string_view arg);
    smtp::Reply on_vrfy(std::string_view arg);
    smtp::Reply on_help(std::string_view arg);
    smtp::Reply on_quit(std::string_view arg);
    smtp::Reply on_not_smtp(std::string_view arg);

private:
    enum class State { Fresh, Greeted, Mail, Over };

    struct Transaction {
        smtp::Path from;
        std::string from_arg;  // MAIL argument for the next hop
        std::string loop_arg;  // " XLOOP=...", for a next hop that offers it
        std::optional<route::Kind> route;
        bool hop_has_mail = false;
        std::vector<smtp::Address> rcpts;
    };

    void serve();
    void dispatch(const std::string& line);
    void send(const smtp::Reply& reply);
    void flush();
    bool start_tls();
    SSL_CTX* tls_context();  // null (logged) when the certificate or key does not load
    void discard_pregreet();
    void reset_transaction();
    smtp::Reply count_error(smtp::Reply reply);
    void pause_after_error();
    bool junk_over_limit();

    // AUTH
    std::optional<std::string> auth_response(std::string_view challenge, smtp::Reply& error);
    smtp::Reply auth_plain(std::string_view initial);
    smtp::Reply auth_login(std::string_view initial);
    smtp::Reply check_password(const std::string& user, const auth::Secret& password);
    smtp::Reply auth_failure(const smtp::Reply& reply);

    // routing and data
    bool sender_blocked(const smtp::Address& from) const;
    bool sender_owned(const smtp::Address& from) const;
    std::optional<smtp::Reply> refuse_sender(const smtp::Address& from, const std::vector<std::string>& trail);
    bool loops(const std::vector<std::string>& trail) const;
    std::optional<smtp::Address> bare_postmaster(std::string_view arg) const;
    bool other_destination(const smtp::Address& to) const;
    const std::string& route_spec(route::Kind kind) const;
    smtp::Reply open_hop(route::Kind kind);
    smtp::ClientFacts client_facts() const;
    void log_message(const std::string& id, const smtp::Reply& reply) const;
    smtp::Reply heard(const smtp::Reply& from_next_hop);  // privacy.hpp's rule, the detail logged
    std::string received_header(const std::string& id) const;
    std::string protocol_name() const;

    const Config& config_;
    Services services_;
    io::Stream& plain_;
    Peer peer_;
    route::Router router_;
    io::Timer timer_;
    std::unique_ptr<tls::TlsStream> tls_;
    io::Stream* stream_;
    io::LineReader reader_;
    std::string out_;

    State state_ = State::Fresh;
    bool esmtp_ = false;
    std::string helo_name_;
    std::optional<std::string> auth_user_;
    std::vector<std::string> auth_senders_;  // mapped to auth_user_ (auth/senders.hpp); empty: none
    int errors_ = 0;
    int junk_ = 0;  // NOOP, RSET, VRFY, HELP
    int auth_failures_ = 0;
    int messages_ = 0;
    std::optional<Transaction> tx_;
    std::unique_ptr<route::NextHop> hop_;
    route::Kind hop_kind_ = route::Kind::Local;
};

}  // namespace orou::smtpd
