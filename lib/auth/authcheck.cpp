#include "auth/authcheck.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include "auth/credentials.hpp"
#include "auth/saslauthd.hpp"
#include "base/error.hpp"
#include "listener/listener.hpp"
#include "listener/workers.hpp"
#include "proto/status.hpp"

namespace orou::auth {

namespace {

using log::Level;
constexpr int kCheckpasswordFd = 3;

// Failures (not verdicts) leave as ExitError(status): no answer is given.
template <class Body>
int failures_as(int status, Body&& body) {
    try {
        return body();
    } catch (const ConfigError& e) {
        throw ExitError(status, e.what());
    } catch (const SysError& e) {
        throw ExitError(status, e.what());
    }
}

Secret read_checkpassword_input(int fd, io::Deadline deadline) {
    if (::fcntl(fd, F_GETFD) < 0) throw ExitError(proto::kCheckpwMisuse, "fd 3 is not open (checkpassword input)");
    Secret buf = Secret::with_size(kMaxCheckpasswordInput + 1);
    io::FdStream in(fd, -1);
    std::size_t got = 0;
    while (got < buf.size()) {
        auto r = in.read(buf.bytes().subspan(got), deadline);
        if (r.status == io::ReadStatus::Timeout) throw ExitError(proto::kCheckpwMisuse, "timed out reading fd 3");
        if (r.status == io::ReadStatus::Eof) break;
        got += r.n;
    }
    if (got > kMaxCheckpasswordInput) throw ExitError(proto::kCheckpwMisuse, "more than 512 bytes on fd 3");
    buf.truncate(got);
    return buf;
}

struct UserPassword {
    std::string user;
    Secret password;
};

UserPassword split_checkpassword(const Secret& input) {
    std::string_view in = input.view();
    auto first = in.find('\0');
    auto second = first == std::string_view::npos ? first : in.find('\0', first + 1);
    if (second == std::string_view::npos)
        throw ExitError(proto::kCheckpwMisuse, "fd 3 does not hold user\\0password\\0timestamp\\0");
    return {std::string(in.substr(0, first)), Secret(in.substr(first + 1, second - first - 1))};
}

[[noreturn]] void exec_program(const std::vector<std::string>& program, const std::string& user) {
    std::vector<char*> argv;
    for (const auto& a : program) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    check_sys(::setenv("USER", user.c_str(), 1), "set USER");
    ::execvp(argv[0], argv.data());
    throw ExitError(proto::kCheckpwTemporary, "unable to run " + program[0] + ": " + std::strerror(errno));
}

// Where a checkpassword caller says the client is (ucspi-tcp, or inetd style).
std::string client_address() {
    for (const char* name : {"TCPREMOTEIP", "REMOTE_ADDR"})
        if (const char* v = std::getenv(name); v && *v) return v;
    return "";
}

}  // namespace

void Authenticator::wait_turn(std::string_view client) {
    if (!throttle_ || client.empty()) return;
    auto wait = throttle_->admit(client);
    if (!wait) {
        log_->event(Level::Warning, "throttled", {{"client", client}, {"result", "no check"}});
        throw SysError("too many recent failures from " + log::escape(client) + ", no check for now", EAGAIN);
    }
    if (wait->count() == 0) return;
    log_->event(Level::Info, "throttled", {{"client", client}, {"wait_ms", std::to_string(wait->count())}});
    std::this_thread::sleep_for(*wait);
}

Verdict Authenticator::check(std::string_view user, const Secret& password, std::string_view service,
                             std::string_view client) {
    wait_turn(client);
    auto store = CredentialStore::load(path_);
    if (log_->enabled(Level::Debug)) {
        auto users = std::to_string(store.users().size());
        auto factor = std::to_string(store.work_factor());
        log_->event(Level::Debug, "credentials", {{"path", path_}, {"users", users}, {"work_factor", factor}});
    }
    bool ok = store.verify(user, password);
    log_->event(Level::Info, "auth",
                {{"user", user},
                 {"service", service},
                 {"result", ok ? "ok" : "refused"},
                 {"client", client.empty() ? "-" : client}});
    if (!ok && throttle_) throttle_->failed(client);
    if (!ok) std::this_thread::sleep_for(fail_delay_);
    if (!ok) return {AuthResult::Refused, {}};
    return {AuthResult::Ok, store.senders(user)};
}

int serve_saslauthd(io::Stream& peer, Authenticator& auth, std::chrono::seconds timeout) {
    for (int n = 0; n < kMaxRequestsPerConnection; ++n) {
        Request req;
        auto st = read_request(peer, req, io::Clock::now() + timeout);
        if (st == FrameStatus::Eof || (st == FrameStatus::Timeout && n > 0)) return EX_OK;
        if (st == FrameStatus::Timeout) throw ExitError(EX_TEMPFAIL, "timed out waiting for a request");
        if (st == FrameStatus::Malformed)
            throw ExitError(EX_PROTOCOL, "malformed request (cut short, or a string over 1024 bytes)");
        Verdict v = auth.check(req.login, req.password, req.service, req.realm);  // realm: the client's address
        write_answer(peer, v.result == AuthResult::Ok ? ok_answer(v.senders) : std::string(kAnswerRefused));
    }
    return EX_OK;
}

int serve_checkpassword(Fd input, Authenticator& auth, std::chrono::seconds timeout,
                        const std::vector<std::string>& program) {
    std::string user;
    {
        Secret raw = read_checkpassword_input(input.get(), io::Clock::now() + timeout);
        UserPassword given = split_checkpassword(raw);
        if (auth.check(given.user, given.password, "checkpassword", client_address()).result != AuthResult::Ok)
            return proto::kCheckpwRefused;
        user = std::move(given.user);
    }
    input.reset();
    if (program.empty()) return proto::kCheckpwOk;
    exec_program(program, user);
}

int authcheck_main(const AuthcheckOptions& opt) {
    log::Logger log("orouboros-authcheck", opt.log_target, log::parse_level(opt.log_level));
    log.set_sid(log::new_id());
    std::optional<Throttle> throttle;
    if (!opt.state_dir.empty()) throttle.emplace(opt.state_dir, opt.fail_delay, opt.max_fail_delay);
    Authenticator auth(opt.credentials, log, opt.fail_delay, throttle ? &*throttle : nullptr);
    if (opt.checkpassword) {
        return failures_as(proto::kCheckpwTemporary,
                           [&] { return serve_checkpassword(Fd(kCheckpasswordFd), auth, opt.timeout, opt.program); });
    }
    const int fd = listener::systemd_socket();
    const int in = fd < 0 ? STDIN_FILENO : fd;
    auto serve = [&](int conn_in, int conn_out) {
        io::FdStream peer(conn_in, conn_out);
        return failures_as(EX_TEMPFAIL, [&] { return serve_saslauthd(peer, auth, opt.timeout); });
    };
    if (!listener::is_listening(in)) return serve(in, fd < 0 ? STDOUT_FILENO : fd);
    listener::Pool how = opt.pool;
    how.label = "saslauthd";
    return listener::serve_workers(in, how, log, [&](int conn) { return serve(conn, conn); });
}

}  // namespace orou::auth
