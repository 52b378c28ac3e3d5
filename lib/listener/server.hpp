// The listener's server (listener.hpp), shared by listener.cpp and
// prefork.cpp (the children forked ahead): not for other callers.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.hpp"
#include "listener/clients.hpp"
#include "listener/listener.hpp"
#include "listener/sockets.hpp"

namespace orou::listener::detail {

using Clock = std::chrono::steady_clock;

// How long a port's program waits to be started again after it ended.
constexpr auto kRestartDelay = std::chrono::seconds(1);

class Server {
public:
    Server(PortSet set, log::Logger& log, const Reload& reload)
        : set_(std::move(set)),
          log_(log),
          reload_(reload),
          restart_at_(set_.ports.size()),
          clients_(set_.limits.per_client, client_capacity(set_.limits)) {}
    int run();

private:
    // A Keeper was handed a port's socket; a Retired one was told to
    // finish (SIGQUIT) and is not started again.  An Idle one was forked
    // ahead and waits on `handoff` for a connection; a Draining one was
    // idle and is ending (its handoff closed).
    enum class Kind { Session, Stage, Keeper, Retired, Idle, Draining };
    struct Running {
        Child child;
        Kind kind;
        std::size_t port;
        std::string client = {};  // the address it counts against, "" for none
        std::string label = {};   // a keeper's port's, for the log
        Fd handoff = {};          // Idle: the server's end of its socketpair
        Clock::time_point born = {};
    };

    // Room for every address with an open session, and for many more
    // that only count toward the rate.
    static std::size_t client_capacity(const Limits& l) {
        return std::max<std::size_t>(4096, 2 * static_cast<std::size_t>(l.max_connections));
    }

    void bind_all();
    std::vector<Listening> take_sockets(const std::vector<Port>& ports);
    void reload();
    void retire();
    void retire_keepers();
    void start_keepers();
    void keep_running(Clock::time_point now);
    void poll_set(std::vector<pollfd>& fds, std::vector<std::size_t>& index) const;
    void accept_one(std::size_t index);
    bool over_limit(const Port& p, const std::string& client);
    std::optional<std::string_view> refusal(const Port& p, const sockaddr_storage& ss, const std::string& client,
                                            std::string& counted);
    Child start(const Port& p, int conn, const std::string& host, const std::string& port);
    Child fork_handler(const Port& p, int conn, const std::string& host, const std::string& port);
    void become_child(const Port& p);
    [[noreturn]] void run_child(const Port& p, int conn, const std::string& host, const std::string& port);
    void add_child(pid_t pid, Running running);
    void fill_pools(Clock::time_point now);
    int idle_children(std::size_t index) const;
    void fork_idle(std::size_t index, Clock::time_point now);
    bool hand_to_idle(std::size_t index, int conn, const std::string& host, const std::string& port,
                      const std::string& counted);
    void drain_idle(std::optional<Clock::time_point> born_before = std::nullopt);
    std::optional<Clock::time_point> next_wake() const;
    void reap();
    void log_killed(const Running& ended, int sig);
    void shut_down();

    PortSet set_;
    const std::vector<Port>& ports_ = set_.ports;
    const Limits& limits_ = set_.limits;
    log::Logger& log_;
    const Reload& reload_;
    std::vector<Listening> socks_;  // socks_[i] is ports_[i]'s
    std::map<pid_t, Running> children_;
    std::map<pid_t, Running>::node_type spare_;  // a reaped child's node, for the next: no malloc per fork
    std::vector<std::optional<Clock::time_point>> restart_at_;  // hand_over ports not running
    Fd exits_;                                                  // a signalfd: SIGCHLD, which stays blocked
    int sessions_ = 0, stages_ = 0;
    bool retiring_ = false;  // SIGQUIT: accepting no more, ending with the children
    ClientTable clients_;
};

}  // namespace orou::listener::detail
