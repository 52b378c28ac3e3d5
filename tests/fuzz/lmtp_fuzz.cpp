// orouboros-mbox-deliver's LMTP server over a stream cut anywhere, with a
// store in memory: the session always ends, every reply is CRLF-ended, and
// a message reaches the store only for a recipient whose local part passed
// the check, with clean line ends (spooled, so read back line by line).
#include <cstdint>

#include "deliver/lmtp_server.hpp"
#include "fuzz_input.hpp"

namespace {

using namespace orou;

class MemoryStore final : public deliver::Store {
public:
    deliver::LocalPart check(std::string_view rcpt) const override { return deliver::check_local_part(rcpt); }
    using deliver::Store::deliver;
    deliver::DeliveryResult deliver(std::string_view, std::string_view rcpt,
                                    const smtp::MessageSource& message) override {
        fuzz::require(check(rcpt).ok(), "only a checked local part is delivered to");
        message.lines([](std::string_view line) {
            fuzz::require(line.find('\0') == std::string_view::npos, "no NUL reaches the store");
            fuzz::require(line.find_first_of("\r\n") == std::string_view::npos, "no bare CR or LF reaches the store");
        });
        ++delivered;
        if (rcpt.starts_with("full")) return {deliver::Outcome::DiskFull, "mem", "no space", ""};
        return {deliver::Outcome::Delivered, "mem", "", ""};
    }
    int delivered = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto stream = fuzz::chunked_stream(data, size);
    MemoryStore store;
    log::Logger log("fuzz", "NONE", log::Level::Error);
    lmtp::Limits config{
        .hostname = "mx.test", .max_message = 4096, .max_line = 200, .max_text_line = 300, .max_rcpts = 5};
    deliver::LmtpServer(stream, store, log, config).run();
    fuzz::require(stream.output.ends_with("\r\n"), "every reply ends with CRLF");
    fuzz::require(stream.output.starts_with("220 "), "the session starts with the greeting");
    return 0;
}
