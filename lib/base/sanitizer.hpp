// OROU_ASAN: defined in a build with AddressSanitizer (make check-asan),
// whose runtime allocates, calls and leaks on its own.  gcc says so with
// __SANITIZE_ADDRESS__, clang with __has_feature(address_sanitizer).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define OROU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OROU_ASAN 1
#endif
#endif
