// A stage spec, parsed once at the edge into a typed value:
//   exec:PROGRAM ARGS...   spawned (no shell); words split on blanks, a word
//                          with blanks quoted: "/opt/my dir/prog" or 'a b',
//                          a backslash keeps the next byte as it is
//   unix:PATH              a unix stream socket (the rest is the path, blanks too)
//   lmtp:HOST:PORT         TCP (also tcp:HOST:PORT; [v6 address] allowed)
// The text stays for logs only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orou::io {

enum class StageKind { Exec, Unix, Tcp };

struct StageSpec {
    StageKind kind = StageKind::Exec;
    std::vector<std::string> argv;  // Exec: the program and its arguments
    std::string path;               // Unix
    std::string host, port;         // Tcp (host without brackets)
    std::string text;               // as given
};

// Throws ConfigError naming the spec and what is wrong with it.
StageSpec parse_stage_spec(std::string_view spec);

// Splits words as exec: does; throws ConfigError for an unclosed quote.
std::vector<std::string> split_quoted(std::string_view text);

// A word as exec: reads it back: itself when it holds no blank, quote or
// backslash, else quoted.
std::string quote_word(std::string_view word);

// "exec:" and the words, each quoted as needed: parse_stage_spec gives them back.
std::string exec_spec(const std::vector<std::string>& argv);

}  // namespace orou::io
