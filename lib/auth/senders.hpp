// The envelope senders a user may use after AUTH: the "senders" list of a
// user in the credentials file, told to smtpd in authcheck's answer.
// An entry is "local@domain" (that address), "@domain" (every address of
// the domain) or "*" (any sender).  Entries are compared case-insensitively
// (ASCII); normalized, they are in lower case, and a bare "domain" is
// written "@domain".
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/address.hpp"

namespace orou::auth {

inline constexpr std::size_t kMaxSenders = 100;       // per user
inline constexpr std::size_t kMaxSenderLength = 254;  // an address (RFC 5321 4.5.3.1.3, less <>)
inline constexpr std::string_view kAnySender = "*";

// The entry in its normalized form; nullopt when it is none of the forms
// above (or has blanks, control bytes, or is over kMaxSenderLength bytes).
std::optional<std::string> normalize_sender(std::string_view entry);

// Appends entry, normalized, to senders unless it is there already;
// false (and senders unchanged) when normalize_sender() refuses it.
bool add_sender(std::vector<std::string>& senders, std::string_view entry);

// True when one of senders (normalized entries) allows the address
// `from` (not the null path).
bool sender_mapped(std::span<const std::string> senders, const smtp::Address& from);

}  // namespace orou::auth
