// The reply parser smtpd uses on its next hop (LMTP) and forward uses on
// an SMTP server: whatever a peer sends, a reply has a code from 200 to
// 599, the same on every line, and reading stops within 100 lines.
#include <cstdint>
#include <vector>

#include "fuzz_input.hpp"
#include "smtp/reply.hpp"

namespace {

using namespace orou;

void check(const std::optional<smtp::Reply>& reply) {
    if (!reply) return;
    fuzz::require(reply->code >= 200 && reply->code <= 599, "a reply code is 2xx to 5xx");
    fuzz::require(reply->status.empty() || reply->status[0] == static_cast<char>('0' + reply->code / 100),
                  "an enhanced status has the class of the code");
    fuzz::require(!reply->wire().empty() && reply->wire().ends_with("\r\n"), "a reply has a wire form");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto stream = fuzz::chunked_stream(data, size);
    io::LineReader in(stream, 512);
    for (int i = 0; i < 8; ++i) {
        auto reply = smtp::read_reply(in, test::far_deadline());
        check(reply);
        if (!reply) break;
    }
    std::vector<std::string> lines;
    std::string_view text = fuzz::as_text(data, size);
    while (!text.empty() && lines.size() < 200) {
        auto nl = text.find('\n');
        lines.emplace_back(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
    check(smtp::parse_reply(lines));
    return 0;
}
