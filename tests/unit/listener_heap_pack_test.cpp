#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "base/sanitizer.hpp"
#include "listener/heap_pack.hpp"

#if defined(__GLIBC__) && !defined(OROU_ASAN)
#include <malloc.h>

namespace orou::listener {
namespace {

// Free bytes outside the main heap's top (with other threads' arenas,
// which the pack leaves alone: a forked session has only this thread).
std::size_t holes() {
    const struct mallinfo2 mi = ::mallinfo2();
    return mi.fordblks - mi.keepcost;
}

// Start-up's pattern: many chunks, every other one freed.
std::vector<void*> fragment() {
    std::vector<void*> all, kept;
    for (int i = 0; i < 2000; ++i) all.push_back(std::malloc(static_cast<std::size_t>(16 + (i * 37) % 3000)));
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (i % 2) std::free(all[i]);
        else kept.push_back(all[i]);
    }
    return kept;
}

TEST(HeapPack, WhatIsAllocatedAfterItComesFromTheTopOfTheHeap) {
    const std::size_t before = holes();
    std::vector<void*> live = fragment();
    ASSERT_GT(holes(), before + 100000);
    {
        HeapPack pack;
        EXPECT_GT(pack.chunks(), 0u);
        EXPECT_LE(holes(), before);
        EXPECT_GE(::mallinfo2().keepcost, 100u * 1024);  // room for a session
        // A session's small allocations sit side by side: a few pages.
        std::vector<char*> session;
        for (int i = 0; i < 100; ++i) session.push_back(static_cast<char*>(std::malloc(40)));
        char* low = session[0];
        char* high = session[0];
        for (char* p : session) low = std::min(low, p), high = std::max(high, p);
        EXPECT_LT(high - low, 3 * 4096);
        for (char* p : session) std::free(p);
    }
    for (void* p : live) std::free(p);
}

}  // namespace
}  // namespace orou::listener
#endif
