#include "route/next_hop.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "smtp/data_reader.hpp"

namespace orou::route {

namespace {

constexpr std::size_t kMaxReplyLine = 4096;

struct Connection {
    Fd in, out;
    Child child;
};

Connection spawn_stage(std::string_view command) {
    auto to_child = make_pipe();
    auto from_child = make_pipe();
    Child child = spawn(split_words(command), to_child.read.get(), from_child.write.get());
    return {std::move(from_child.read), std::move(to_child.write), std::move(child)};
}

Connection connect_unix(std::string_view path) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof sa.sun_path) throw ConfigError("socket path too long: " + std::string(path));
    std::memcpy(sa.sun_path, path.data(), path.size());
    Fd fd(static_cast<int>(check_sys(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "create a socket")));
    check_sys(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa),
              "connect to " + std::string(path));
    Fd out(static_cast<int>(check_sys(::dup(fd.get()), "dup")));
    return {std::move(fd), std::move(out), Child()};
}

Connection connect_tcp(std::string_view host_port) {
    auto colon = host_port.rfind(':');
    if (colon == std::string_view::npos) throw ConfigError("lmtp: needs host:port");
    std::string host(host_port.substr(0, colon)), port(host_port.substr(colon + 1));
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
        throw SysError("resolve " + host + " (" + gai_strerror(rc) + ")", EHOSTUNREACH);
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(res, ::freeaddrinfo);
    int err = ECONNREFUSED;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (fd && ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
            Fd out(static_cast<int>(check_sys(::dup(fd.get()), "dup")));
            return {std::move(fd), std::move(out), Child()};
        }
        err = errno;
    }
    throw SysError("connect to " + std::string(host_port), err);
}

Connection connect_spec(std::string_view spec) {
    if (spec.rfind("exec:", 0) == 0) return spawn_stage(spec.substr(5));
    if (spec.rfind("unix:", 0) == 0) return connect_unix(spec.substr(5));
    if (spec.rfind("lmtp:", 0) == 0) return connect_tcp(spec.substr(5));
    throw ConfigError("unknown route spec (exec:, unix: or lmtp:): " + std::string(spec));
}

}  // namespace

NextHop::NextHop(std::string spec, Fd in, Fd out, Child child, HopTimeouts timeouts)
    : spec_(std::move(spec)),
      in_(std::move(in)),
      out_(std::move(out)),
      child_(std::move(child)),
      timeouts_(timeouts),
      stream_(in_.get(), out_.get()),
      reader_(stream_, kMaxReplyLine) {}

NextHop::~NextHop() { quit(); }

NextHop::Opened NextHop::open(std::string_view spec, std::string_view lhlo_name, HopTimeouts timeouts) {
    Connection c;
    try {
        c = connect_spec(spec);
    } catch (const SysError& e) {
        return {nullptr, {451, "4.4.1", std::string("next hop unavailable: ") + e.what()}};
    }
    std::unique_ptr<NextHop> hop(
        new NextHop(std::string(spec), std::move(c.in), std::move(c.out), std::move(c.child), timeouts));
    auto greeting = smtp::read_reply(hop->reader_, io::Clock::now() + timeouts.connect);
    if (!greeting || !greeting->ok()) {
        return {nullptr, greeting ? *greeting : smtp::Reply{451, "4.4.2", "next hop did not greet"}};
    }
    smtp::Reply lhlo = hop->command("LHLO " + std::string(lhlo_name), timeouts.command);
    if (!lhlo.ok()) return {nullptr, lhlo};
    return {std::move(hop), {}};
}

smtp::Reply NextHop::failure(std::string_view what) {
    broken_ = true;
    return {451, "4.4.2", "next hop " + std::string(what)};
}

smtp::Reply NextHop::command(std::string_view line, std::chrono::seconds timeout) {
    if (broken_) return failure("connection lost");
    try {
        stream_.write(std::string(line) + "\r\n");
    } catch (const SysError&) {
        return failure("closed the connection");
    }
    auto reply = smtp::read_reply(reader_, io::Clock::now() + timeout);
    if (!reply) return failure("did not answer");
    return *reply;
}

smtp::Reply NextHop::mail(std::string_view from_arg) {
    return command("MAIL " + std::string(from_arg), timeouts_.command);
}

smtp::Reply NextHop::rcpt(std::string_view to_arg) {
    return command("RCPT " + std::string(to_arg), timeouts_.command);
}

std::vector<smtp::Reply> NextHop::data(std::string_view message, std::size_t accepted) {
    std::vector<smtp::Reply> replies;
    smtp::Reply go = command("DATA", timeouts_.command);
    if (go.code != 354) {
        replies.assign(accepted, go);
        return replies;
    }
    try {
        stream_.write(smtp::dot_stuff(message));
    } catch (const SysError&) {
        replies.assign(accepted, failure("closed the connection during DATA"));
        return replies;
    }
    auto deadline = io::Clock::now() + timeouts_.data;
    for (std::size_t i = 0; i < accepted; ++i) {
        auto r = broken_ ? std::nullopt : smtp::read_reply(reader_, deadline);
        replies.push_back(r ? *r : failure("did not answer after DATA"));
    }
    return replies;
}

void NextHop::rset() {
    if (!command("RSET", timeouts_.command).ok()) broken_ = true;
}

void NextHop::quit() noexcept {
    try {
        if (!broken_) (void)command("QUIT", std::chrono::seconds(10));
    } catch (...) {
        // closing anyway
    }
    in_.reset();
    out_.reset();
    if (child_.pid() > 0) {
        try {
            child_.wait();
        } catch (...) {
        }
    }
}

}  // namespace orou::route
