// The pool of workers: a worker serves connection after connection, is
// replaced after max_use or when it dies (ever more slowly when they keep
// dying), a connection beyond the limit hears the busy reply, and SIGTERM
// lets the connection in progress finish.
#include "listener/workers.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "base/fd.hpp"
#include "log/log.hpp"
#include "unix_listener.hpp"

namespace {

using namespace orou;
using namespace std::chrono_literals;

std::string socket_path() {
    return ::testing::TempDir() + "workers-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sock";
}

Fd connect_to(const std::string& path) {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    timeval five{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect");
    return fd;
}

using test::read_line;

void say(int fd, const std::string& line) { (void)!::send(fd, (line + "\n").data(), line.size() + 1, MSG_NOSIGNAL); }

// Tells the worker's pid, then answers lines until the client closes:
// "crash" kills the worker, anything else is echoed.
int echo(int conn) {
    say(conn, std::to_string(::getpid()));
    for (std::string line = read_line(conn); !line.empty(); line = read_line(conn)) {
        if (line == "crash") ::kill(::getpid(), SIGKILL);
        say(conn, "echo " + line);
    }
    return 0;
}

// A pool on a fresh socket in a child of the test; stopped (SIGTERM) and
// waited for when it goes out of scope.
class RunningPool {
public:
    explicit RunningPool(listener::Pool how) : path_(socket_path()) {
        ::unlink(path_.c_str());
        Fd sock = test::listen_unix(path_);
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork");
        if (pid_ > 0) return;
        log::Logger log("workers-test", "NONE", log::Level::Error);
        ::_exit(listener::serve_workers(sock.release(), how, log, echo));
    }
    ~RunningPool() {
        if (pid_ > 0) stop();
        ::unlink(path_.c_str());
    }
    Fd connect() const { return connect_to(path_); }
    void signal(int sig) const { ::kill(pid_, sig); }
    // SIGTERM; the pool's exit status.
    int stop() {
        signal(SIGTERM);
        return wait();
    }
    int wait() {
        int st = 0;
        ::waitpid(std::exchange(pid_, -1), &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }

private:
    std::string path_;
    pid_t pid_ = -1;
};

listener::Pool one_worker(int max_use) {
    listener::Pool how;
    how.program = "workers-test";
    how.label = "test";
    how.busy_reply = "busy\n";
    how.workers = 1;
    how.max_workers = 1;
    how.max_use = max_use;
    return how;
}

// The pid of the worker that served one whole connection.
std::string served_by(const RunningPool& pool) {
    Fd c = pool.connect();
    std::string pid = read_line(c.get());
    say(c.get(), "hello");
    EXPECT_EQ(read_line(c.get()), "echo hello");
    return pid;
}

TEST(Workers, OneWorkerServesConnectionsInTurnAndIsReplacedAfterMaxUse) {
    RunningPool pool(one_worker(2));
    const std::string first = served_by(pool);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(served_by(pool), first);
    const std::string third = served_by(pool);
    EXPECT_FALSE(third.empty());
    EXPECT_NE(third, first);
    EXPECT_EQ(pool.stop(), 0);
}

TEST(Workers, AWorkerThatDiesIsReplacedAndItsClientSeesTheConnectionClose) {
    RunningPool pool(one_worker(100));
    Fd c = pool.connect();
    const std::string crashed = read_line(c.get());
    say(c.get(), "crash");
    EXPECT_EQ(read_line(c.get()), "");  // closed, no answer
    const std::string next = served_by(pool);
    EXPECT_FALSE(next.empty());
    EXPECT_NE(next, crashed);
}

TEST(Workers, WorkersThatKeepDyingAreReplacedEverMoreSlowly) {
    RunningPool pool(one_worker(100));
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        Fd c = pool.connect();
        ASSERT_FALSE(read_line(c.get()).empty()) << "connection " << i;
        say(c.get(), "crash");
        EXPECT_EQ(read_line(c.get()), "");
    }
    // Replaced after 0, 100, 200 and 400 ms: the fifth was served no sooner.
    EXPECT_GE(std::chrono::steady_clock::now() - start, 600ms);
    EXPECT_FALSE(served_by(pool).empty());
}

TEST(Workers, TheRestartDelayDoublesFromTheSecondFailureUpToTenSeconds) {
    EXPECT_EQ(listener::restart_delay(0), 0ms);
    EXPECT_EQ(listener::restart_delay(1), 0ms);
    EXPECT_EQ(listener::restart_delay(2), 100ms);
    EXPECT_EQ(listener::restart_delay(3), 200ms);
    EXPECT_EQ(listener::restart_delay(8), 6400ms);
    EXPECT_EQ(listener::restart_delay(9), 10000ms);
    EXPECT_EQ(listener::restart_delay(1000), 10000ms);
}

TEST(Workers, AConnectionBeyondTheBusyWorkersHearsTheBusyReply) {
    RunningPool pool(one_worker(100));
    Fd held = pool.connect();
    ASSERT_FALSE(read_line(held.get()).empty());
    Fd refused = pool.connect();
    EXPECT_EQ(read_line(refused.get()), "busy");
}

TEST(Workers, AnIdleWorkerIsForkedWhenAConnectionTakesTheReadyOne) {
    listener::Pool how = one_worker(100);
    how.max_workers = 4;
    RunningPool pool(how);
    Fd held = pool.connect();
    const std::string first = read_line(held.get());
    ASSERT_FALSE(first.empty());
    const std::string second = served_by(pool);  // served while the first is held
    EXPECT_FALSE(second.empty());
    EXPECT_NE(second, first);
}

// Whether `pid` has SIGTERM pending (blocked while it serves), polled
// for up to 5 s.
bool sigterm_pending(const std::string& pid) {
    for (int i = 0; i < 500; ++i) {
        std::ifstream status("/proc/" + pid + "/status");
        for (std::string line; std::getline(status, line);)
            if ((line.starts_with("SigPnd:") || line.starts_with("ShdPnd:")) &&
                (std::stoull(line.substr(7), nullptr, 16) & (1ull << (SIGTERM - 1))))
                return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

TEST(Workers, SigtermLetsTheConnectionInProgressFinish) {
    RunningPool pool(one_worker(100));
    Fd c = pool.connect();
    const std::string worker = read_line(c.get());
    ASSERT_FALSE(worker.empty());
    pool.signal(SIGTERM);
    ASSERT_TRUE(sigterm_pending(worker));
    say(c.get(), "still there");
    EXPECT_EQ(read_line(c.get()), "echo still there");
    c.reset();
    EXPECT_EQ(pool.wait(), 0);
}

}  // namespace
