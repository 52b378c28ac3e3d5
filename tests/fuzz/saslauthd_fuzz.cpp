// The saslauthd framing as orouboros-authcheck reads it: counted strings
// with a 2-byte length, each at most 1024 bytes, however the bytes arrive.
#include <cstdint>

#include "auth/saslauthd.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace orou;
    auto stream = fuzz::chunked_stream(data, size);
    for (int i = 0; i < 4; ++i) {
        auth::Request req;
        auto st = auth::read_request(stream, req, test::far_deadline());
        if (st != auth::FrameStatus::Ok) break;
        fuzz::require(req.login.size() <= auth::kMaxCounted && req.password.size() <= auth::kMaxCounted &&
                          req.service.size() <= auth::kMaxCounted && req.realm.size() <= auth::kMaxCounted,
                      "every field is at most 1024 bytes");
        test::FakeStream echo("", 1);
        auth::write_request(echo, req.login, req.password, req.service, req.realm);
        test::FakeStream back(echo.output, 3);
        auth::Request copy;
        fuzz::require(auth::read_request(back, copy, test::far_deadline()) == auth::FrameStatus::Ok,
                      "a written request reads back");
        fuzz::require(copy.login == req.login && copy.password.view() == req.password.view() &&
                          copy.service == req.service && copy.realm == req.realm,
                      "a request round-trips");
    }
    auto answer_stream = fuzz::chunked_stream(data, size);
    (void)auth::read_answer(answer_stream, test::far_deadline());
    return 0;
}
