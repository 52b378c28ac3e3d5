#include "deliver/local_part.hpp"

namespace orou::deliver {

namespace {

const char* refusal_of(std::string_view local) {
    if (local.empty()) return "empty local part";
    if (local.size() > kMaxLocalPart) return "local part longer than 64 bytes";
    if (local.front() == '"') return "quoted local parts are not delivered";
    if (local.front() == '.') return "local part starts with a dot";
    if (local.find("..") != std::string_view::npos) return "local part holds \"..\"";
    for (unsigned char c : local) {
        if (c == '/' || c == '\\') return "local part holds a slash or backslash";
        if (c < 0x20 || c == 0x7f) return "local part holds a control character";
        if (c == ' ') return "local part holds a blank";
        if (c >= 0x80) return "local part holds a byte outside ASCII";
    }
    return nullptr;
}

bool has_control(std::string_view text) {
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

}  // namespace

LocalPart check_local_part(std::string_view address) {
    auto at = address.rfind('@');
    std::string_view local = at == std::string_view::npos ? address : address.substr(0, at);
    const char* refusal = refusal_of(local);
    if (!refusal && has_control(address)) refusal = "address holds a control character";
    return {std::string(local), refusal};
}

}  // namespace orou::deliver
