// The DATA reader over a stream cut anywhere: it never holds more than
// the size limit, a refused message is dropped, an accepted one has only
// CRLF line ends and no NUL, and dot-stuffing it and reading it back gives
// the same message.
#include <cstdint>

#include "fuzz_input.hpp"
#include "smtp/data_reader.hpp"

namespace {

using namespace orou;

constexpr std::size_t kMaxSize = 2048;
constexpr std::size_t kMaxLine = 80;

bool clean_lines(std::string_view message) {
    for (std::size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (c == '\0') return false;
        if (c == '\r' && (i + 1 >= message.size() || message[i + 1] != '\n')) return false;
        if (c == '\n' && (i == 0 || message[i - 1] != '\r')) return false;
    }
    return message.empty() || message.ends_with("\r\n");
}

smtp::DataStatus read(test::FakeStream& stream, std::string& message) {
    io::LineReader in(stream, kMaxLine);
    io::Timer timer{std::chrono::seconds(5), test::far_deadline()};
    return smtp::read_data(in, timer, kMaxSize, message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto stream = fuzz::chunked_stream(data, size);
    std::string message;
    smtp::DataStatus status = read(stream, message);
    fuzz::require(message.size() <= kMaxSize, "a message never grows past the limit");
    if (status == smtp::DataStatus::Eof || status == smtp::DataStatus::Timeout) return 0;  // the session ends
    if (status != smtp::DataStatus::Ok) {
        fuzz::require(message.empty(), "a refused message is dropped");
        return 0;
    }
    fuzz::require(clean_lines(message), "an accepted message has CRLF line ends only and no NUL");
    test::FakeStream again(smtp::dot_stuff(message) + "TAIL", 7);
    std::string copy;
    fuzz::require(read(again, copy) == smtp::DataStatus::Ok, "a dot-stuffed message reads back");
    fuzz::require(copy == message, "dot-stuffing round-trips");
    return 0;
}
