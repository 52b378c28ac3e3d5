// One SMTP client session with one address of an upstream: implicit TLS
// or STARTTLS, EHLO (HELO for an old server), AUTH PLAIN or LOGIN, then
// MAIL, RCPT, DATA.  Every reply is read through a LineReader under a
// deadline; a broken connection gives a 4xx and no more commands.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/fd.hpp"
#include "forward/sasl_client.hpp"
#include "forward/socket.hpp"
#include "forward/tls_policy.hpp"
#include "forward/upstream.hpp"
#include "io/line_reader.hpp"
#include "smtp/dot_writer.hpp"
#include "tls/client.hpp"

namespace orou::forward {

enum class TlsMode {
    None,           // never
    Opportunistic,  // STARTTLS when offered
    StartTls,       // STARTTLS, or no delivery
    Implicit,       // TLS from the first byte (port 465)
};

struct Timeouts {
    std::chrono::seconds connect{30};  // each TCP connection
    std::chrono::seconds reply{120};   // each reply (and TLS handshake)
    std::chrono::seconds total{300};   // reaching a session up to MAIL; DATA to its reply
};

struct ClientPolicy {
    std::string helo = "localhost";
    TlsMode tls = TlsMode::StartTls;
    SSL_CTX* tls_ctx = nullptr;  // borrowed; needed unless tls is None
    tls::Verify verify = tls::Verify::Chain;
    std::string tls_name;                      // the name to check and send as SNI; "" for the host name
    std::string fingerprint;                   // for Verify::Fingerprint
    const Credentials* credentials = nullptr;  // AUTH when set (borrowed)
    bool allow_plaintext_auth = false;
    Timeouts timeouts;
    // MX hosts' TLS policies (connector): DANE, and MTA-STS when set.
    bool dane = false;
    const StsConfig* mta_sts = nullptr;  // borrowed
};

// What the upstream's EHLO reply offers.
struct Extensions {
    bool starttls = false, eight_bit = false, size = false, plain = false, login = false;
    bool loop = false;  // XLOOP (smtp/mail_params.hpp)
};
Extensions parse_ehlo(const smtp::Reply& reply);

class SmtpClient final : public Upstream {
public:
    // Takes the connected socket; borrows the policy.  host_tls: the MX
    // host's own TLS policy, over the ClientPolicy's when it has a check.
    SmtpClient(Fd socket, PeerInfo peer, const ClientPolicy& policy, HostTls host_tls = {});
    ~SmtpClient() override;
    SmtpClient(const SmtpClient&) = delete;
    SmtpClient& operator=(const SmtpClient&) = delete;

    // Greeting, EHLO, TLS and AUTH as the policy says; 2xx when ready for
    // MAIL, else why not (always 4xx: nothing about the message yet).
    [[nodiscard]] smtp::Reply start(io::Deadline end);
    [[nodiscard]] smtp::Reply mail(const Envelope& envelope, io::Deadline end);
    smtp::Reply rcpt(std::string_view rcpt) override;
    smtp::Reply begin_data() override;
    void line(std::string_view text) override;
    smtp::Reply end_data() override;
    void abandon() override;
    const PeerInfo& peer() const override { return peer_; }
    bool broken() const { return broken_; }

private:
    std::string where() const;
    io::Deadline reply_deadline(io::Deadline end) const;
    smtp::Reply read(io::Deadline deadline);
    smtp::Reply send(std::string_view bytes, io::Deadline deadline);
    smtp::Reply command(std::string_view line, io::Deadline end);
    smtp::Reply hello(io::Deadline end);
    smtp::Reply starttls(io::Deadline end);
    smtp::Reply handshake(io::Deadline end);
    tls::ClientCheck client_check() const;
    void policy_failed(std::string why);
    smtp::Reply authenticate(io::Deadline end);
    smtp::Reply auth_login(io::Deadline end);
    void quit() noexcept;

    Fd fd_;
    PeerInfo peer_;
    const ClientPolicy& policy_;
    HostTls host_tls_;
    SocketStream plain_;
    std::unique_ptr<tls::TlsStream> tls_;
    io::Stream* stream_;
    io::LineReader reader_;
    Extensions ext_;
    bool broken_ = false;
    std::optional<smtp::DotWriter> writer_;  // after 354: no command may be sent
    io::Deadline data_end_{};
};

}  // namespace orou::forward
