// A whole orouboros-smtpd session over a stream cut anywhere, with a fake
// password checker (asdf/asdf) and next hops that fail at once: the session ends,
// every reply is a well-formed CRLF-ended line, the checker is asked only
// when AUTH is allowed, and the relay route is never tried without a
// successful AUTH.
#include <cstdint>

#include "fuzz_input.hpp"
#include "smtpd/session.hpp"

namespace {

using namespace orou;

class FakeChecker final : public auth::Checker {
public:
    auth::Verdict check(std::string_view user, const auth::Secret& password, std::string_view) override {
        ++calls;
        fuzz::require(!user.empty() && !password.empty(), "the checker gets a user and a password");
        return {user == "asdf" && password.view() == "asdf" ? auth::AuthResult::Ok : auth::AuthResult::Refused, {}};
    }
    int calls = 0;
};

smtpd::Config config(bool plaintext_auth) {
    smtpd::Config c;
    c.hostname = "vps.test";
    c.allow_plaintext_auth = plaintext_auth;
    c.domains.delivery = {"example.com"};
    c.domains.forward = {"home.example"};
    c.local_route = "unix:/nonexistent/local.sock";  // every hop fails at once, naming itself
    c.relay_route = "unix:/nonexistent/relay.sock";
    c.limits.max_message = 4096;
    c.limits.max_rcpts = 5;
    c.limits.max_errors = 20;
    c.limits.error_sleep = std::chrono::milliseconds(0);  // no waits past the soft limit
    return c;
}

bool well_formed(std::string_view out) {
    while (!out.empty()) {
        auto end = out.find("\r\n");
        if (end == std::string_view::npos || end < 3) return false;
        std::string_view line = out.substr(0, end);
        if (line[0] < '2' || line[0] > '5' || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) return false;
        if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) return false;
        out.remove_prefix(end + 2);
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto stream = fuzz::chunked_stream(data, size);
    FakeChecker checker;
    log::Logger logger("fuzz", "NONE", log::Level::Error);
    const smtpd::Config c = config(size > 0 && (data[0] & 0x80));
    smtpd::Session session(c, smtpd::Services{&checker, nullptr, logger}, stream, smtpd::Peer{});
    session.run();
    fuzz::require(stream.output.starts_with("220 vps.test"), "the session starts with the greeting");
    fuzz::require(well_formed(stream.output), "every reply line is well formed");
    fuzz::require(c.allow_plaintext_auth || checker.calls == 0, "no password is checked outside TLS");
    bool authenticated = stream.output.find("\r\n235 ") != std::string::npos;
    fuzz::require(authenticated || stream.output.find("relay.sock") == std::string::npos,
                  "the relay route is tried only after a successful AUTH");
    return 0;
}
