// The version of the Orouboros programs, defined here once; each prints
// "PROGRAM VERSION" for --version.
#pragma once

namespace orou {

inline constexpr const char* kVersion = "0.9.0";

}  // namespace orou
