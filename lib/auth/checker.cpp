#include "auth/checker.hpp"

#include <poll.h>
#include <sys/un.h>

#include <optional>

#include "auth/saslauthd.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"
#include "io/connect.hpp"
#include "io/stream.hpp"

namespace orou::auth {

Checker::~Checker() = default;

namespace {

constexpr int kMaxTrailingReads = 16;

bool fits(std::string_view user, const Secret& password, std::string_view service) {
    return user.size() <= kMaxCounted && password.size() <= kMaxCounted && service.size() <= kMaxCounted;
}

// Runs one exchange; failures of the checker (SysError) become TempFail.
template <class Exchange>
Verdict guarded(Exchange&& exchange) {
    try {
        return exchange();
    } catch (const SysError&) {
        return {};
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

// Whether a connection kept idle has something to read: the checker closed
// it (its timeout, one request per connection as saslauthd's own), so it
// is of no more use.
bool stale(const io::Connection& c) {
    pollfd p{c.in.get(), POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
}

// Asks the checker a spec names: a child spawned per check (exec:), or a
// connection (unix:) kept for the session's next check while the checker
// keeps it open.
class StageChecker final : public Checker {
public:
    StageChecker(std::string spec, std::chrono::seconds timeout, std::string client)
        : spec_(std::move(spec)), timeout_(timeout), client_(std::move(client).substr(0, kMaxCounted)) {}

    Verdict check(std::string_view user, const Secret& password, std::string_view service) override {
        if (!fits(user, password, service)) return {AuthResult::Refused, {}};
        return guarded([&] { return exchange(user, password, service); });
    }

private:
    Verdict exchange(std::string_view user, const Secret& password, std::string_view service) {
        if (spec_.starts_with("exec:")) return exchange_once(user, password, service);
        if (kept_ && stale(*kept_)) kept_.reset();
        if (!kept_) kept_ = io::connect_spec(spec_);
        auto deadline = io::Clock::now() + timeout_;
        io::FdStream peer(kept_->in.get(), kept_->out.get());
        Verdict result;
        try {
            write_request(peer, user, password, service, client_);
            result = read_answer(peer, deadline);
        } catch (const SysError&) {
            kept_.reset();
            throw;
        }
        if (result.result == AuthResult::TempFail) kept_.reset();  // the checker's state is unknown now
        return result;
    }

    Verdict exchange_once(std::string_view user, const Secret& password, std::string_view service) {
        auto deadline = io::Clock::now() + timeout_;
        io::Connection conn = io::connect_spec(spec_);
        io::FdStream peer(conn.in.get(), conn.out.get());
        write_request(peer, user, password, service, client_);  // the realm carries the client's address
        conn.close_write();                                     // one request: the checker sees EOF after it
        Verdict result = read_answer(peer, deadline);
        if (drained(peer, deadline) && conn.child.pid() > 0) conn.child.wait();  // else ~Child kills it
        return result;
    }

    std::string spec_;
    std::chrono::seconds timeout_;
    std::string client_;
    std::optional<io::Connection> kept_;
};

}  // namespace

std::unique_ptr<Checker> make_checker(std::string_view spec, std::chrono::seconds timeout, std::string client) {
    if (!spec.starts_with("exec:") && !spec.starts_with("unix:"))
        throw ConfigError("unknown authentication checker \"" + std::string(spec) +
                          "\" (want exec:COMMAND ARGS... or unix:PATH)");
    (void)io::parse_stage_spec(spec);  // throws ConfigError naming what is wrong
    return std::make_unique<StageChecker>(std::string(spec), timeout, std::move(client));
}

}  // namespace orou::auth
