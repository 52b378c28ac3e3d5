#include "auth/saslauthd.hpp"

#include <stdexcept>

namespace orou::auth {

namespace {

// Reads the 2-byte length of a counted string.
FrameStatus read_length(io::Stream& in, std::size_t& length, io::Deadline deadline, std::size_t max = kMaxCounted) {
    unsigned char raw[2];
    auto st = read_exact(in, {reinterpret_cast<char*>(raw), 2}, deadline);
    if (st != FrameStatus::Ok) return st;
    length = static_cast<std::size_t>(raw[0]) << 8 | raw[1];
    return length > max ? FrameStatus::Malformed : FrameStatus::Ok;
}

// Eof in a later part of a frame is a truncated frame.
FrameStatus later(FrameStatus st) { return st == FrameStatus::Eof ? FrameStatus::Malformed : st; }

char* put_counted(char* out, std::string_view s, std::size_t max = kMaxCounted) {
    if (s.size() > max) throw std::length_error("saslauthd field over its limit");
    *out++ = static_cast<char>(s.size() >> 8);
    *out++ = static_cast<char>(s.size() & 0xff);
    return std::copy(s.begin(), s.end(), out);
}

}  // namespace

FrameStatus read_exact(io::Stream& in, std::span<char> buf, io::Deadline deadline) {
    std::size_t got = 0;
    while (got < buf.size()) {
        auto r = in.read(buf.subspan(got), deadline);
        if (r.status == io::ReadStatus::Timeout) return FrameStatus::Timeout;
        if (r.status == io::ReadStatus::Eof) return got == 0 ? FrameStatus::Eof : FrameStatus::Malformed;
        got += r.n;
    }
    return FrameStatus::Ok;
}

FrameStatus read_counted(io::Stream& in, std::string& out, io::Deadline deadline, std::size_t max) {
    std::size_t length = 0;
    auto st = read_length(in, length, deadline, max);
    if (st != FrameStatus::Ok) return st;
    out.assign(length, '\0');
    return later(read_exact(in, out, deadline));
}

FrameStatus read_counted(io::Stream& in, Secret& out, io::Deadline deadline) {
    std::size_t length = 0;
    auto st = read_length(in, length, deadline);
    if (st != FrameStatus::Ok) return st;
    out = Secret::with_size(length);
    return later(read_exact(in, out.bytes(), deadline));
}

FrameStatus read_request(io::Stream& in, Request& out, io::Deadline deadline) {
    auto st = read_counted(in, out.login, deadline);
    if (st != FrameStatus::Ok) return st;
    if ((st = later(read_counted(in, out.password, deadline))) != FrameStatus::Ok) return st;
    if ((st = later(read_counted(in, out.service, deadline))) != FrameStatus::Ok) return st;
    return later(read_counted(in, out.realm, deadline));
}

void write_request(io::Stream& out, std::string_view login, const Secret& password, std::string_view service,
                   std::string_view realm) {
    Secret frame = Secret::with_size(8 + login.size() + password.size() + service.size() + realm.size());
    char* p = frame.bytes().data();
    p = put_counted(p, login);
    p = put_counted(p, password.view());
    p = put_counted(p, service);
    put_counted(p, realm);
    out.write(frame.view());
}

std::string ok_answer(std::span<const std::string> senders) {
    std::string answer(kAnswerOk);
    for (const auto& sender : senders) answer.append(" ").append(kSenderWord).append(sender);
    return answer;
}

void write_answer(io::Stream& out, std::string_view answer) {
    std::string frame(2 + answer.size(), '\0');
    put_counted(frame.data(), answer, kMaxAnswer);
    out.write(frame);
}

Verdict parse_answer(std::string_view answer) {
    if (answer.starts_with("NO")) return {AuthResult::Refused, {}};
    if (!answer.starts_with("OK")) return {};
    Verdict verdict{AuthResult::Ok, {}};
    for (std::string_view rest = answer.substr(2); !rest.empty();) {
        const auto blank = rest.find(' ');
        const std::string_view word = rest.substr(0, blank);
        rest = blank == std::string_view::npos ? "" : rest.substr(blank + 1);
        if (!word.starts_with(kSenderWord)) continue;
        if (verdict.senders.size() == kMaxSenders || !add_sender(verdict.senders, word.substr(kSenderWord.size())))
            return {};
    }
    return verdict;
}

Verdict read_answer(io::Stream& in, io::Deadline deadline) {
    std::string answer;
    if (read_counted(in, answer, deadline, kMaxAnswer) != FrameStatus::Ok) return {};
    return parse_answer(answer);
}

}  // namespace orou::auth
