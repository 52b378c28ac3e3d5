// The header section of a stored message, field by field.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "smtp/message.hpp"

namespace orou::verify {

// Calls `field` with each header field (its lines joined with CRLF, no
// line end after the last), then with "" at the end of the header, then
// `body` with each line of the body (when given).  Throws SysError when the message cannot be read back.
void for_each_field(const smtp::MessageSource& message, const std::function<void(std::string_view)>& field,
                    const std::function<void(std::string_view)>& body = nullptr);

// The domain of the one address of a From field ("From: A <a@x.example>"
// gives "x.example"), lower case; "" when there is not exactly one.
std::string from_domain(std::string_view field);

// Whether two strings are the same, case aside (ASCII).
bool equal_nocase(std::string_view a, std::string_view b);

// Whether a field has the name `name` (any case).
bool field_named(std::string_view field, std::string_view name);

}  // namespace orou::verify
