#include "route/next_hop.hpp"

#include "base/error.hpp"
#include "io/connect.hpp"

namespace orou::route {

namespace {

constexpr std::size_t kMaxReplyLine = 4096;

// The client's reply when the stage cannot be reached: the reason (a
// socket path, a command line, errno) goes to the log, not to the client.
const smtp::Reply kUnavailable{451, "4.4.1", "next hop unavailable, try again later"};

}  // namespace

NextHop::NextHop(std::string spec, io::Connection conn, HopTimeouts timeouts)
    : spec_(std::move(spec)),
      conn_(std::move(conn)),
      timeouts_(timeouts),
      stream_(conn_.in.get(), conn_.out.get()),
      reader_(stream_, kMaxReplyLine),
      writer_(stream_) {}

NextHop::~NextHop() { quit(); }

NextHop::Opened NextHop::open(std::string_view spec, std::string_view lhlo_name, HopTimeouts timeouts) {
    io::Connection c;
    try {
        c = io::connect_spec(spec);
    } catch (const SysError& e) {
        return {nullptr, kUnavailable, e.what()};
    }
    std::unique_ptr<NextHop> hop(new NextHop(std::string(spec), std::move(c), timeouts));
    auto greeting = hop->next_reply(io::Clock::now() + timeouts.connect);
    if (!greeting) return {nullptr, {451, "4.4.2", "next hop did not greet"}, "no greeting"};
    if (!greeting->ok()) return {nullptr, *greeting, "greeting " + greeting->summary()};
    smtp::Reply lhlo = hop->command("LHLO " + std::string(lhlo_name), timeouts.command);
    if (!lhlo.ok()) return {nullptr, lhlo, "LHLO " + lhlo.summary()};
    hop->lhlo_ = "\n" + lhlo.text + "\n";
    return {std::move(hop), {}, {}};
}

std::optional<smtp::Reply> NextHop::next_reply(io::Deadline deadline) {
    auto reply = smtp::read_reply(reader_, deadline);
    if (reply) *reply = smtp::Reply::from_upstream(*reply);
    return reply;
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
    auto reply = next_reply(io::Clock::now() + timeout);
    if (!reply) return failure("did not answer");
    return *reply;
}

smtp::Reply NextHop::xforward(const smtp::ClientFacts& facts) {
    if (!offers(smtp::kXforwardExtension)) return {250, "2.0.0", "ok"};
    for (const auto& args : smtp::xforward_args(facts)) {
        smtp::Reply r = command("XFORWARD " + args, timeouts_.command);
        if (!r.ok()) return r;
    }
    return {250, "2.0.0", "ok"};
}

std::string NextHop::auth_param(std::string_view login) const {
    if (login.empty() || !offers(smtp::kXforwardExtension)) return "";
    return " AUTH=" + smtp::xtext_encode(login);
}

smtp::Reply NextHop::mail(std::string_view from_arg) {
    return command("MAIL " + std::string(from_arg), timeouts_.command);
}

smtp::Reply NextHop::rcpt(std::string_view to_arg) { return command("RCPT " + std::string(to_arg), timeouts_.command); }

smtp::Reply NextHop::begin_data() {
    smtp::Reply go = command("DATA", timeouts_.command);
    in_data_ = go.code == 354;
    return go;
}

void NextHop::line(std::string_view text) {
    if (!broken_ && !writer_.line(text)) broken_ = true;
}

void NextHop::abandon() {
    broken_ = true;
    close();
}

std::vector<smtp::Reply> NextHop::end_data(std::size_t accepted) {
    std::vector<smtp::Reply> replies;
    const bool sent = !broken_ && writer_.finish();
    in_data_ = false;
    auto deadline = io::Clock::now() + timeouts_.data;
    for (std::size_t i = 0; i < accepted; ++i) {
        auto r = !sent || broken_ ? std::nullopt : next_reply(deadline);
        replies.push_back(r ? *r : failure(sent ? "did not answer after DATA" : "closed the connection during DATA"));
    }
    return replies;
}

bool NextHop::offers(std::string_view keyword) const {
    const std::string line = "\n" + std::string(keyword);
    for (auto at = lhlo_.find(line); at != std::string::npos; at = lhlo_.find(line, at + 1)) {
        const char after = lhlo_[at + line.size()];
        if (after == '\n' || after == ' ') return true;
    }
    return false;
}

void NextHop::rset() {
    if (!command("RSET", timeouts_.command).ok()) broken_ = true;
}

void NextHop::quit() noexcept {
    try {
        if (!broken_ && !in_data_) (void)command("QUIT", std::chrono::seconds(10));
    } catch (...) {
        // closing anyway
    }
    close();
}

// Closes both directions; a spawned stage is waited for.
void NextHop::close() noexcept {
    conn_.in.reset();
    conn_.out.reset();
    if (conn_.child.pid() > 0) {
        try {
            conn_.child.wait();
        } catch (...) {}
    }
}

}  // namespace orou::route
