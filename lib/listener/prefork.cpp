// The children a port keeps forked ahead (Port::prefork): each waits on
// its handoff for a connection, so that a greeting never waits on a fork.
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>

#include "base/error.hpp"
#include "listener/handoff.hpp"
#include "listener/server.hpp"

namespace orou::listener::detail {

// Keeps each prefork port's idle children at its count (none while
// retiring), replacing those idle longer than kPreforkMaxAge.
void Server::fill_pools(Clock::time_point now) {
    drain_idle(now - kPreforkMaxAge);
    if (retiring_) return;
    try {
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            if (!ports_[i].handler || ports_[i].prefork == 0) continue;
            for (int n = idle_children(i); n < ports_[i].prefork; ++n) fork_idle(i, now);
        }
    } catch (const SysError& e) {
        log_.event(log::Level::Error, "spawn-failed", {{"reason", e.what()}});
    }
}

// In a reaped child's node when there is one: a malloc and a free per
// fork wrote two more pages (the allocator's and errno's).
void Server::add_child(pid_t pid, Running running) {
    if (spare_.empty()) {
        children_.emplace(pid, std::move(running));
        return;
    }
    spare_.key() = pid;
    spare_.mapped() = std::move(running);
    children_.insert(std::move(spare_));
}

// Counted without allocating: nothing on the heap is written per fork
// that need not be (each such page is copied once the child shares it).
int Server::idle_children(std::size_t index) const {
    return static_cast<int>(std::count_if(children_.begin(), children_.end(), [index](const auto& c) {
        return c.second.kind == Kind::Idle && c.second.port == index;
    }));
}

// A child that waits for a connection (handoff.hpp), then serves it as
// fork_handler's would; it ends when the server closes its end unused.
void Server::fork_idle(std::size_t index, Clock::time_point now) {
    const Port& p = ports_[index];
    auto [parent_end, child_end] = handoff_pair();
    if (p.before_fork) p.before_fork();
    pid_t pid = ::fork();
    if (pid < 0) throw SysError("fork", errno);
    if (pid > 0) {
        add_child(pid, Running{Child(pid), Kind::Idle, index, {}, {}, std::move(parent_end), now});
        return;
    }
    parent_end.reset();
    become_child(p);
    std::optional<Handoff> h = receive_connection(child_end.get());
    if (!h) ::_exit(EX_OK);
    child_end.reset();
    run_child(p, h->conn.get(), h->host, h->port);
}

// Hands an admitted connection to one of the port's idle children; false
// when it has none that takes it (the caller forks one as before).
bool Server::hand_to_idle(std::size_t index, int conn, const std::string& host, const std::string& port,
                          const std::string& counted) {
    for (auto& [pid, running] : children_) {
        if (running.kind != Kind::Idle || running.port != index) continue;
        const bool sent = send_connection(running.handoff.get(), conn, host, port);
        running.handoff.reset();
        if (!sent) {
            running.kind = Kind::Draining;
            continue;
        }
        running.kind = ports_[index].is_unix() ? Kind::Stage : Kind::Session, running.client = counted;
        ++(ports_[index].is_unix() ? stages_ : sessions_);
        return true;
    }
    return false;
}

// Ends the idle children (all, or those born before the time given): each
// reads the end of its handoff and exits.
void Server::drain_idle(std::optional<Clock::time_point> born_before) {
    for (auto& [pid, running] : children_) {
        if (running.kind != Kind::Idle || (born_before && running.born >= *born_before)) continue;
        running.handoff.reset();
        running.kind = Kind::Draining;
    }
}

}  // namespace orou::listener::detail
