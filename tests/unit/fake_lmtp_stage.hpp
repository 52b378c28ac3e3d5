// A next stage on a unix socket for the tests of filter stages: serves
// one LMTP session in a thread, answers each verb with the reply the test
// gave for it ("250 2.0.0 ok" otherwise; after the final dot one
// "250 2.0.0 ok" per recipient it accepted), and records every line it
// was sent, commands and message alike.
#pragma once

#include <sys/socket.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/fd.hpp"
#include "io/line_reader.hpp"
#include "io/stream.hpp"
#include "unix_listener.hpp"

namespace orou::test {

class FakeLmtpStage {
public:
    // `lhlo`: the keywords of its LHLO reply, each line CRLF-ended.
    FakeLmtpStage(const std::string& path, std::string lhlo, std::map<std::string, std::string> replies)
        : lhlo_(std::move(lhlo)),
          replies_(std::move(replies)),
          listener_(listen_unix(path)),
          thread_([this] { serve(); }) {}
    FakeLmtpStage(const FakeLmtpStage&) = delete;
    FakeLmtpStage& operator=(const FakeLmtpStage&) = delete;
    ~FakeLmtpStage() { join(); }

    // Every line it was sent, once the session is over.
    const std::vector<std::string>& lines() {
        join();
        return lines_;
    }

private:
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    std::string reply(const std::string& verb, const std::string& fallback) const {
        auto r = replies_.find(verb);
        return r == replies_.end() ? fallback : r->second;
    }

    void serve() {
        const auto deadline = io::Clock::now() + std::chrono::seconds(10);
        if (!io::wait_fd(listener_.get(), false, deadline)) return;
        Fd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        io::FdStream stream(conn.get(), conn.get());
        io::LineReader in(stream, 4096);
        stream.write("220 next.test LMTP\r\n");
        std::string line;
        int accepted = 0;
        for (int i = 0; i < 1000 && in.next(line, deadline) == io::LineStatus::Ok; ++i) {
            lines_.push_back(line);
            const std::string verb = line.substr(0, line.find(' '));
            if (verb == "LHLO") {
                stream.write("250-next.test\r\n" + lhlo_ + "250 PIPELINING\r\n");
                continue;
            }
            if (verb == "MAIL") accepted = 0;
            const std::string r = reply(verb, verb == "DATA" ? "354 go on\r\n" : "250 2.0.0 ok\r\n");
            if (verb == "RCPT" && r[0] == '2') ++accepted;
            stream.write(r);
            if (verb == "DATA" && r[0] == '3') data(in, stream, deadline, accepted);
            if (verb == "QUIT") return;
        }
    }

    void data(io::LineReader& in, io::Stream& stream, io::Deadline deadline, int accepted) {
        std::string line;
        for (int n = 0; n < 1000 && in.next(line, deadline) == io::LineStatus::Ok; ++n) {
            lines_.push_back(line);
            if (line == ".") break;
        }
        std::string each;
        for (int i = 0; i < accepted; ++i) each += "250 2.0.0 ok\r\n";
        stream.write(reply(".", each));
    }

    std::string lhlo_;
    std::map<std::string, std::string> replies_;
    Fd listener_;
    std::vector<std::string> lines_;
    std::thread thread_;
};

}  // namespace orou::test
