#include "auth/base64.hpp"

#include <openssl/evp.h>

#include <climits>

namespace orou::auth {

namespace {

bool in_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// The number of '=' at the end when text is strict base64.
std::optional<std::size_t> padding_of(std::string_view text) {
    if (text.size() % 4 != 0 || text.size() > INT_MAX / 2) return std::nullopt;
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    for (std::size_t i = 0; i < text.size() - pad; ++i)
        if (!in_alphabet(text[i])) return std::nullopt;
    return pad;
}

// Decodes validated text into out (room for 3 * size / 4 bytes); returns
// the exact length.
std::optional<std::size_t> decode_into(std::string_view text, std::size_t pad, char* out) {
    if (text.empty()) return 0;
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out), reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0 || static_cast<std::size_t>(n) != text.size() / 4 * 3) return std::nullopt;
    return static_cast<std::size_t>(n) - pad;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    auto pad = padding_of(text);
    if (!pad) return std::nullopt;
    std::string out(text.size() / 4 * 3 + 1, '\0');
    auto n = decode_into(text, *pad, out.data());
    if (!n) return std::nullopt;
    out.resize(*n);
    return out;
}

std::optional<Secret> base64_decode_secret(std::string_view text) {
    auto pad = padding_of(text);
    if (!pad) return std::nullopt;
    Secret out = Secret::with_size(text.size() / 4 * 3);
    auto n = decode_into(text, *pad, out.bytes().data());
    if (!n) return std::nullopt;
    out.truncate(*n);
    return out;
}

}  // namespace orou::auth
