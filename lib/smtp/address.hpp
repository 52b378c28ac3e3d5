// Parsing what clients type after MAIL FROM: and RCPT TO:, leniently
// (no angle brackets, a space after the colon, any case), into a checked
// address and its ESMTP parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orou::smtp {

struct Address {
    std::string local;   // as given (quotes kept)
    std::string domain;  // lower case, no trailing dot; "" for the null path
    bool null() const { return local.empty() && domain.empty(); }
    std::string str() const { return null() ? "" : local + "@" + domain; }
};

struct Path {
    Address address;
    std::vector<std::pair<std::string, std::string>> params;  // upper-case keys
};

enum class PathError { None, Syntax, BadAddress, BadParam };

struct ParsedPath {
    std::optional<Path> path;
    PathError error = PathError::None;
};

// `arg` is the text after the verb, e.g. "FROM: <a@b.example> SIZE=10".
// `keyword` is "FROM" or "TO".  The null path <> is allowed only when
// allow_null.  A source route (@a,@b:user@c) is dropped (RFC 5321 4.1.2).
ParsedPath parse_path(std::string_view arg, std::string_view keyword, bool allow_null);

// Checks and normalises a domain (lower case, trailing dot removed):
// LDH labels, or an address literal in brackets.
std::optional<std::string> normalize_domain(std::string_view domain);

// Splits "VERB rest" into the upper-cased verb and the rest.
std::pair<std::string, std::string_view> split_command(std::string_view line);

}  // namespace orou::smtp
