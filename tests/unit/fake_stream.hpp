// A Stream over a fixed input, in chunks, that records what is written.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "io/stream.hpp"

namespace orou::test {

class FakeStream final : public io::Stream {
public:
    explicit FakeStream(std::string input, std::size_t chunk = 4096) : input_(std::move(input)), chunk_(chunk) {}
    io::ReadResult read(std::span<char> buf, io::Deadline) override {
        if (pos_ >= input_.size()) return {io::ReadStatus::Eof};
        std::size_t n = std::min({buf.size(), chunk_, input_.size() - pos_});
        std::copy_n(input_.data() + pos_, n, buf.data());
        pos_ += n;
        return {io::ReadStatus::Ok, n};
    }
    void write(std::string_view data) override { output += data; }
    void add_input(std::string_view more) { input_ += more; }

    std::string output;

private:
    std::string input_;
    std::size_t chunk_;
    std::size_t pos_ = 0;
};

inline io::Deadline far_deadline() { return io::Clock::now() + std::chrono::seconds(10); }

}  // namespace orou::test
