// A password in memory: move-only, never printed, wiped when dropped.
// The bytes are reached only through view(), so a password shows in code
// exactly where it is used.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace orou::auth {

class Secret {
public:
    Secret() = default;
    // Copies bytes; the caller wipes its own copy.
    explicit Secret(std::string_view bytes);
    // size zero bytes, to be filled through bytes() (decoders, readers).
    static Secret with_size(std::size_t size);

    Secret(Secret&& o) noexcept;
    Secret& operator=(Secret&& o) noexcept;
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    ~Secret() { wipe(); }

    std::string_view view() const noexcept { return {data_.get(), size_}; }
    std::span<char> bytes() noexcept { return {data_.get(), size_}; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    // Shrinks to size bytes (no reallocation), wiping the dropped tail.
    void truncate(std::size_t size) noexcept;
    // Constant time for equal sizes (CRYPTO_memcmp).
    bool equals(const Secret& o) const noexcept;

private:
    void wipe() noexcept;

    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace orou::auth
