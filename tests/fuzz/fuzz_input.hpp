// What every harness shares: the fuzzer's bytes as a stream that arrives
// in chunks of a size the input chooses (its first byte), so that line and
// record boundaries fall everywhere; and a check that aborts (a finding)
// when a promised property does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fake_stream.hpp"  // tests/unit

namespace orou::fuzz {

// The first byte picks the chunk size (1..64); the rest is the input.
inline test::FakeStream chunked_stream(const std::uint8_t* data, std::size_t size) {
    std::size_t chunk = size > 0 ? data[0] % 64 + 1 : 1;
    std::string input = size > 0 ? std::string(reinterpret_cast<const char*>(data) + 1, size - 1) : std::string();
    return test::FakeStream(std::move(input), chunk);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A broken promise: say which, and abort, so that libFuzzer keeps the input.
inline void require(bool holds, const char* promise) {
    if (holds) return;
    std::fprintf(stderr, "property broken: %s\n", promise);
    std::abort();
}

}  // namespace orou::fuzz
