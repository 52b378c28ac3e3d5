// The mailbox name of a recipient: its local part, checked so that it can
// never leave the mail directory.
#pragma once

#include <string>
#include <string_view>

namespace orou::deliver {

inline constexpr std::size_t kMaxLocalPart = 64;  // RFC 5321 4.5.3.1.1

struct LocalPart {
    std::string name;               // the local part as given (case and +detail kept)
    const char* refusal = nullptr;  // why it is refused; nullptr when usable

    bool ok() const { return refusal == nullptr; }
};

// The part of `address` before its last '@' (all of it when there is none),
// refused when it is empty, longer than 64 bytes, quoted, starts with a dot,
// holds "..", '/', '\\', a blank, a control byte (NUL included) or a byte
// outside ASCII; also refused when the domain holds a control byte.
[[nodiscard]] LocalPart check_local_part(std::string_view address);

}  // namespace orou::deliver
