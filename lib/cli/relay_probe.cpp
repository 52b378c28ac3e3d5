#include "cli/relay_probe.hpp"

#include <sys/socket.h>

#include <optional>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "io/line_reader.hpp"
#include "io/stream.hpp"
#include "smtp/reply.hpp"

namespace orou::cli {

namespace {

constexpr std::size_t kMaxReplyLine = 4096;

// The foreign recipients, plain first: a relay must refuse each without AUTH.
constexpr const char* kForeign[] = {
    "<probe@relay-probe.invalid>",                       // a foreign domain
    "<@relay-probe.invalid:probe@relay-probe.invalid>",  // a source route
    "<probe@[192.0.2.1]>",                               // an address literal
    "<PROBE@RELAY-PROBE.INVALID.>",                      // case and a trailing dot
};

class Dialog {
public:
    Dialog(int fd, std::chrono::seconds timeout)
        : stream_(fd, fd), reader_(stream_, kMaxReplyLine), deadline_(io::Clock::now() + timeout) {}

    std::optional<smtp::Reply> reply() { return smtp::read_reply(reader_, deadline_); }

    std::optional<smtp::Reply> send(const std::string& line) {
        try {
            stream_.write(line + "\r\n");
        } catch (const SysError&) {
            return std::nullopt;
        }
        return reply();
    }

private:
    io::FdStream stream_;
    io::LineReader reader_;
    io::Deadline deadline_;
};

std::string text(const std::optional<smtp::Reply>& r) {
    return r ? r->summary() : "no reply (see orouboros-smtpd's messages)";
}

// The session up to MAIL: a failed step when it did not get there.
std::optional<ProbeStep> open_session(Dialog& d) {
    auto greeting = d.reply();
    if (!greeting || greeting->code != 220) return ProbeStep{"(greeting)", text(greeting), false};
    auto ehlo = d.send("EHLO relay-probe.invalid");
    if (!ehlo || !ehlo->ok()) return ProbeStep{"EHLO relay-probe.invalid", text(ehlo), false};
    auto mail = d.send("MAIL FROM:<probe@relay-probe.invalid>");
    if (!mail || !mail->ok()) return ProbeStep{"MAIL FROM:<probe@relay-probe.invalid>", text(mail), false};
    return std::nullopt;
}

}  // namespace

std::vector<ProbeStep> probe_relay(const std::vector<std::string>& smtpd_argv, std::chrono::seconds timeout) {
    int fds[2];
    check_sys(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), "create a socket pair");
    Fd ours(fds[0]), theirs(fds[1]);
    Child smtpd = spawn(smtpd_argv, theirs.get(), theirs.get());
    theirs.reset();
    Dialog d(ours.get(), timeout);
    if (auto failed = open_session(d)) return {*failed};
    std::vector<ProbeStep> steps;
    for (const char* rcpt : kForeign) {
        const std::string command = std::string("RCPT TO:") + rcpt;
        auto reply = d.send(command);
        const bool plain = steps.empty();
        bool passed = reply && (plain ? reply->code == 554 && reply->status == "5.7.1" : !reply->ok());
        steps.push_back({command, text(reply), passed});
        if (!reply) break;
    }
    (void)d.send("QUIT");
    return steps;  // ~Child waits for smtpd (killing it if it lingers)
}

}  // namespace orou::cli
