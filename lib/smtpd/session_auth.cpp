// AUTH PLAIN and LOGIN (RFC 4954, RFC 4616).  The password is decoded
// straight into an auth::Secret and never logged.
#include "auth/sasl.hpp"
#include "smtpd/replies.hpp"
#include "smtpd/session.hpp"

namespace orou::smtpd {

namespace R = replies;
using smtp::Reply;

namespace {

constexpr std::size_t kMaxAuthLine = 12288;  // RFC 4954 4

}  // namespace

Reply Session::on_auth(std::string_view arg) {
    if (state_ == State::Fresh) return count_error(R::need_ehlo);
    if (auth_user_) return count_error(R::already_auth);
    if (tx_) return count_error(R::auth_in_tx);
    if (!services_.checker) return count_error(R::auth_unavailable);
    if (!tls_ && !config_.allow_plaintext_auth) return count_error(R::encryption_required);
    auto [mechanism, initial] = smtp::split_command(arg);
    if (mechanism == "PLAIN") return auth_plain(initial);
    if (mechanism == "LOGIN") return auth_login(initial);
    return count_error(R::bad_mechanism);
}

// Sends a 334 challenge and reads the client's answer; nullopt with
// `error` set when the client cancels or sends a bad line.
std::optional<std::string> Session::auth_response(std::string_view challenge, Reply& error) {
    send({334, "", std::string(challenge)});
    std::string line;
    std::size_t saved = reader_.max_line();
    reader_.set_max_line(kMaxAuthLine);
    io::LineStatus st = reader_.next(line, timer_.next());
    reader_.set_max_line(saved);
    if (st == io::LineStatus::Timeout || st == io::LineStatus::Eof) {
        state_ = State::Over;
        error = st == io::LineStatus::Timeout ? R::timeout : Reply{0, "", ""};
        return std::nullopt;
    }
    if (st != io::LineStatus::Ok) {
        error = count_error(R::auth_line_too_long);
        return std::nullopt;
    }
    if (line == "*") {
        error = count_error(R::auth_cancelled);
        return std::nullopt;
    }
    return line;
}

Reply Session::auth_plain(std::string_view initial) {
    std::string response(initial);
    if (initial.empty()) {
        Reply error;
        auto answer = auth_response("", error);
        if (!answer) return error;
        response = std::move(*answer);
    }
    if (response == "=") response.clear();
    auto creds = auth::decode_plain(response);
    if (!creds) return count_error(R::bad_base64);
    if (!auth::acts_as_itself(*creds)) {
        services_.log.event(log::Level::Warning, "auth",
                            {{"client", peer_.address},
                             {"user", creds->user},
                             {"authzid", creds->authzid},
                             {"result", "refused"},
                             {"reason", "authzid"}});
        return auth_failure(R::authzid_refused);
    }
    return check_password(creds->user, creds->password);
}

Reply Session::auth_login(std::string_view initial) {
    Reply error;
    std::string user_b64(initial);
    if (initial.empty()) {
        auto answer = auth_response(auth::kLoginUserPrompt, error);
        if (!answer) return error;
        user_b64 = std::move(*answer);
    }
    auto user = auth::decode_login_user(user_b64);
    if (!user) return count_error(R::bad_base64);
    auto password_b64 = auth_response(auth::kLoginPasswordPrompt, error);
    if (!password_b64) return error;
    auto password = auth::decode_login_password(*password_b64);
    if (!password) return count_error(R::bad_base64);
    return check_password(*user, *password);
}

Reply Session::check_password(const std::string& user, const auth::Secret& password) {
    auth::Verdict checked = services_.checker->check(user, password, "smtp");
    const auth::AuthResult result = checked.result;
    const char* verdict = result == auth::AuthResult::Ok        ? "ok"
                          : result == auth::AuthResult::Refused ? "refused"
                                                                : "tempfail";
    services_.log.event(log::Level::Info, "auth", {{"client", peer_.address}, {"user", user}, {"result", verdict}});
    if (result == auth::AuthResult::Ok) {
        auth_user_ = user;
        auth_senders_ = std::move(checked.senders);
        return R::auth_ok;
    }
    if (result == auth::AuthResult::TempFail) return R::auth_temporary;
    return auth_failure(R::auth_failed);
}

// A refused AUTH counts against the session's error budget and its
// budget of authentication failures; the last one ends the session.
Reply Session::auth_failure(const Reply& reply) {
    if (++auth_failures_ >= config_.limits.max_auth_failures) {
        send(reply);
        state_ = State::Over;
        return R::too_many_auth_failures;
    }
    return count_error(reply);
}

}  // namespace orou::smtpd
