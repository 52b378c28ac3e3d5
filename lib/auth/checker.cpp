#include "auth/checker.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "auth/saslauthd.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"
#include "io/stream.hpp"

namespace orou::auth {

Checker::~Checker() = default;

namespace {

constexpr std::string_view kRealm = "";
constexpr int kMaxTrailingReads = 16;

bool fits(std::string_view user, const Secret& password, std::string_view service) {
    return user.size() <= kMaxCounted && password.size() <= kMaxCounted && service.size() <= kMaxCounted;
}

// Runs one exchange; failures of the checker (SysError) become TempFail.
template <class Exchange>
AuthResult guarded(Exchange&& exchange) {
    try {
        return exchange();
    } catch (const SysError&) {
        return AuthResult::TempFail;
    }
}

// True when the peer closes its end before the deadline (bounded reads).
bool drained(io::Stream& in, io::Deadline deadline) {
    char buf[256];
    for (int i = 0; i < kMaxTrailingReads; ++i) {
        auto status = in.read(buf, deadline).status;
        if (status != io::ReadStatus::Ok) return status == io::ReadStatus::Eof;
    }
    return false;
}

class ExecChecker final : public Checker {
public:
    ExecChecker(std::vector<std::string> argv, std::chrono::seconds timeout)
        : argv_(std::move(argv)), timeout_(timeout) {}

    AuthResult check(std::string_view user, const Secret& password, std::string_view service) override {
        if (!fits(user, password, service)) return AuthResult::Refused;
        return guarded([&] { return exchange(user, password, service); });
    }

private:
    AuthResult exchange(std::string_view user, const Secret& password, std::string_view service) {
        auto deadline = io::Clock::now() + timeout_;
        Pipe to = make_pipe(), from = make_pipe();
        Child child = spawn(argv_, to.read.get(), from.write.get());
        to.read.reset();
        from.write.reset();
        io::FdStream peer(from.read.get(), to.write.get());
        write_request(peer, user, password, service, kRealm);
        to.write.reset();  // one request: authcheck sees EOF after it
        AuthResult result = read_answer(peer, deadline);
        if (drained(peer, deadline)) child.wait();  // else ~Child kills it
        return result;
    }

    std::vector<std::string> argv_;
    std::chrono::seconds timeout_;
};

class UnixChecker final : public Checker {
public:
    UnixChecker(std::string path, std::chrono::seconds timeout) : path_(std::move(path)), timeout_(timeout) {}

    AuthResult check(std::string_view user, const Secret& password, std::string_view service) override {
        if (!fits(user, password, service)) return AuthResult::Refused;
        return guarded([&] { return exchange(user, password, service); });
    }

private:
    AuthResult exchange(std::string_view user, const Secret& password, std::string_view service) {
        auto deadline = io::Clock::now() + timeout_;
        Fd sock(static_cast<int>(
            check_sys(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "create a socket")));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
        check_sys(::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "connect to " + path_);
        io::FdStream peer(sock.get(), sock.get());
        write_request(peer, user, password, service, kRealm);
        check_sys(::shutdown(sock.get(), SHUT_WR), "shut down the request to " + path_);
        return read_answer(peer, deadline);
    }

    std::string path_;
    std::chrono::seconds timeout_;
};

}  // namespace

std::unique_ptr<Checker> make_checker(std::string_view spec, std::chrono::seconds timeout) {
    if (spec.starts_with("exec:")) {
        auto argv = split_words(spec.substr(5));
        if (argv.empty()) throw ConfigError("authentication checker \"exec:\" names no program");
        return std::make_unique<ExecChecker>(std::move(argv), timeout);
    }
    if (spec.starts_with("unix:")) {
        std::string path(spec.substr(5));
        if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path))
            throw ConfigError("authentication checker \"unix:\" needs a socket path under 108 bytes");
        return std::make_unique<UnixChecker>(std::move(path), timeout);
    }
    throw ConfigError("unknown authentication checker \"" + std::string(spec) +
                      "\" (want exec:COMMAND ARGS... or unix:PATH)");
}

}  // namespace orou::auth
