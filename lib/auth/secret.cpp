#include "auth/secret.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <utility>

namespace orou::auth {

Secret::Secret(std::string_view bytes) : Secret(with_size(bytes.size())) {
    std::copy(bytes.begin(), bytes.end(), data_.get());
}

Secret Secret::with_size(std::size_t size) {
    Secret s;
    s.data_ = std::make_unique<char[]>(size == 0 ? 1 : size);
    s.size_ = size;
    s.capacity_ = size;
    return s;
}

Secret::Secret(Secret&& o) noexcept
    : data_(std::move(o.data_)), size_(std::exchange(o.size_, 0)), capacity_(std::exchange(o.capacity_, 0)) {}

Secret& Secret::operator=(Secret&& o) noexcept {
    if (this != &o) {
        wipe();
        data_ = std::move(o.data_);
        size_ = std::exchange(o.size_, 0);
        capacity_ = std::exchange(o.capacity_, 0);
    }
    return *this;
}

void Secret::truncate(std::size_t size) noexcept {
    if (size >= size_) return;
    OPENSSL_cleanse(data_.get() + size, size_ - size);
    size_ = size;
}

bool Secret::equals(const Secret& o) const noexcept {
    if (size_ != o.size_) return false;
    return size_ == 0 || CRYPTO_memcmp(data_.get(), o.data_.get(), size_) == 0;
}

void Secret::wipe() noexcept {
    if (data_ && capacity_ > 0) OPENSSL_cleanse(data_.get(), capacity_);
    data_.reset();
    size_ = capacity_ = 0;
}

}  // namespace orou::auth
