#include "forward/smtp_client.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "auth/base64.hpp"
#include "base/error.hpp"
#include "forward/replies.hpp"
#include "smtp/mail_params.hpp"

namespace orou::forward {

namespace {

using smtp::Reply;

constexpr std::size_t kMaxReplyLine = 4096;
constexpr std::chrono::seconds kQuitTimeout{10};
const Reply kReady{250, "", "ready"};

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// The keywords of one EHLO line: "AUTH PLAIN LOGIN" (or the old "AUTH=PLAIN").
void add_extension(Extensions& ext, const std::string& line) {
    std::istringstream words(upper(line));
    std::string keyword, word;
    words >> keyword;
    if (keyword == "STARTTLS") ext.starttls = true;
    if (keyword == "8BITMIME") ext.eight_bit = true;
    if (keyword == "SIZE") ext.size = true;
    if (keyword == smtp::kLoopExtension) ext.loop = true;
    if (keyword.rfind("AUTH=", 0) == 0) word = keyword.substr(5), keyword = "AUTH";
    if (keyword != "AUTH") return;
    do {
        ext.plain = ext.plain || word == "PLAIN";
        ext.login = ext.login || word == "LOGIN";
    } while (words >> word);
}

}  // namespace

Extensions parse_ehlo(const Reply& reply) {
    Extensions ext;
    std::istringstream lines(reply.text);
    std::string line;
    std::getline(lines, line);  // the server's name
    while (std::getline(lines, line)) add_extension(ext, line);
    return ext;
}

SmtpClient::SmtpClient(Fd socket, PeerInfo peer, const ClientPolicy& policy, HostTls host_tls)
    : fd_(std::move(socket)),
      peer_(std::move(peer)),
      policy_(policy),
      host_tls_(std::move(host_tls)),
      plain_(fd_.get(), policy.timeouts.reply),
      stream_(&plain_),
      reader_(plain_, kMaxReplyLine) {
    peer_.policy = host_tls_.outcome;
}

SmtpClient::~SmtpClient() { quit(); }

std::string SmtpClient::where() const { return peer_.host + "[" + peer_.address + "]:" + std::to_string(peer_.port); }

io::Deadline SmtpClient::reply_deadline(io::Deadline end) const {
    return std::min(io::Clock::now() + policy_.timeouts.reply, end);
}

Reply SmtpClient::read(io::Deadline deadline) {
    if (broken_) return replies::lost(where(), "earlier");
    auto reply = smtp::read_reply(reader_, deadline);
    if (reply && reply->code == 421) {  // the server closes the connection: not a verdict on anything
        broken_ = true;
        return replies::closing(where(), *reply);
    }
    if (reply) return *reply;
    broken_ = true;
    return io::Clock::now() >= deadline ? replies::timed_out(where()) : replies::lost(where(), "awaiting a reply");
}

// Writes bytes (a command line, perhaps holding a secret), reads the reply.
Reply SmtpClient::send(std::string_view bytes, io::Deadline deadline) {
    if (broken_) return replies::lost(where(), "earlier");
    try {
        stream_->write(bytes);
    } catch (const SysError& e) {
        broken_ = true;
        return replies::lost(where(), std::string("while sending: ") + e.what());
    }
    return read(deadline);
}

Reply SmtpClient::command(std::string_view line, io::Deadline end) {
    return send(std::string(line) + "\r\n", reply_deadline(end));
}

Reply SmtpClient::start(io::Deadline end) {
    if (policy_.tls == TlsMode::Implicit) {
        if (Reply r = handshake(end); !r.ok()) return r;
    }
    Reply greeting = read(reply_deadline(end));
    if (broken_) return greeting;
    if (greeting.code != 220) return replies::session_refused(where(), greeting);
    if (Reply r = hello(end); !r.ok()) return r;
    if (Reply r = starttls(end); !r.ok()) return r;
    return authenticate(end);
}

// EHLO, or HELO when the server does not know EHLO.
Reply SmtpClient::hello(io::Deadline end) {
    Reply r = command("EHLO " + policy_.helo, end);
    ext_ = r.ok() ? parse_ehlo(r) : Extensions{};
    if (r.permanent()) r = command("HELO " + policy_.helo, end);
    if (broken_) return r;
    return r.ok() ? kReady : replies::session_refused(where(), r);
}

// STARTTLS as the policy says; a server without it is fine only when
// TLS is opportunistic.
Reply SmtpClient::starttls(io::Deadline end) {
    const bool required = policy_.tls == TlsMode::StartTls || host_tls_.required;
    if (tls_ || policy_.tls == TlsMode::None || policy_.tls == TlsMode::Implicit) return kReady;
    if (!ext_.starttls) {
        policy_failed("no STARTTLS");
        return required ? replies::no_starttls(where()) : kReady;
    }
    Reply r = command("STARTTLS", end);
    if (broken_) return r;
    if (r.code != 220) {
        policy_failed("STARTTLS refused");
        return required ? replies::tls_failed(where(), r.summary()) : kReady;
    }
    if (Reply h = handshake(end); !h.ok()) return h;
    return hello(end);
}

// The MX host's own check, else the one the ClientPolicy says.
tls::ClientCheck SmtpClient::client_check() const {
    if (host_tls_.check) return *host_tls_.check;
    const bool verify = policy_.tls != TlsMode::Opportunistic;
    return {verify ? policy_.verify : tls::Verify::None, policy_.tls_name.empty() ? peer_.host : policy_.tls_name,
            policy_.fingerprint};
}

void SmtpClient::policy_failed(std::string why) {
    if (peer_.policy.name == "none" || peer_.policy.failed) return;
    peer_.policy.failed = true;
    peer_.policy.why = std::move(why);
}

Reply SmtpClient::handshake(io::Deadline end) {
    tls_ = std::make_unique<tls::TlsStream>(policy_.tls_ctx, fd_.get(), fd_.get());
    reader_.discard_buffered();  // nothing sent before the handshake counts after it
    if (!tls_->connect(client_check(), reply_deadline(end))) {
        broken_ = true;
        policy_failed(tls_->error());
        return replies::tls_failed(where(), tls_->error());
    }
    if (!tls_->error().empty()) policy_failed(tls_->error());  // a check only reported (MTA-STS testing)
    stream_ = tls_.get();
    reader_.set_stream(*tls_);
    peer_.tls_version = tls_->version();
    peer_.tls_cipher = tls_->cipher();
    return kReady;
}

Reply SmtpClient::authenticate(io::Deadline end) {
    if (!policy_.credentials) return kReady;
    if (!tls_ && !policy_.allow_plaintext_auth) return replies::plaintext_auth(where());
    Reply r;
    if (ext_.plain) {
        const auth::Secret message = plain_message(policy_.credentials->user, policy_.credentials->password);
        r = send(encoded_line("AUTH PLAIN ", message.view()).view(), reply_deadline(end));
    } else if (ext_.login) {
        r = auth_login(end);
    } else {
        return replies::no_auth_mechanism(where());
    }
    if (broken_) return r;
    return r.code == 235 ? kReady : replies::auth_failed(where(), r);
}

Reply SmtpClient::auth_login(io::Deadline end) {
    Reply r = command("AUTH LOGIN", end);
    if (r.code == 334) r = command(auth::base64_encode(policy_.credentials->user), end);
    if (r.code == 334) r = send(encoded_line("", policy_.credentials->password.view()).view(), reply_deadline(end));
    return r;
}

Reply SmtpClient::mail(const Envelope& envelope, io::Deadline end) {
    std::string line = "MAIL FROM:<" + envelope.sender + ">";
    if (ext_.size && envelope.size > 0) line += " SIZE=" + std::to_string(envelope.size);
    if (ext_.eight_bit && envelope.eight_bit) line += " BODY=8BITMIME";
    if (ext_.loop && !envelope.loop.empty()) line += " XLOOP=" + envelope.loop;
    return command(line, end);
}

Reply SmtpClient::rcpt(std::string_view rcpt) {
    return command("RCPT TO:<" + std::string(rcpt) + ">", io::Clock::now() + policy_.timeouts.reply);
}

// DATA to the final reply within the total timeout.
Reply SmtpClient::begin_data() {
    data_end_ = io::Clock::now() + policy_.timeouts.total;
    Reply go = command("DATA", data_end_);
    if (go.code != 354) return go.ok() ? replies::protocol_error(where(), "DATA", go) : go;
    writer_.emplace(*stream_);
    return go;
}

void SmtpClient::line(std::string_view text) {
    if (writer_ && !writer_->line(text)) broken_ = true;
}

Reply SmtpClient::end_data() {
    if (!writer_) return replies::lost(where(), "before DATA");
    const bool sent = writer_->finish();
    writer_.reset();
    if (!sent) broken_ = true;
    return read(data_end_);
}

void SmtpClient::abandon() {
    broken_ = true;
    writer_.reset();
    tls_.reset();
    fd_.reset();
}

void SmtpClient::quit() noexcept {
    if (broken_ || writer_) return;  // no QUIT in the middle of a message
    try {
        (void)command("QUIT", io::Clock::now() + std::min(kQuitTimeout, policy_.timeouts.reply));
    } catch (const SysError&) {
        // closing anyway
    }
}

}  // namespace orou::forward
