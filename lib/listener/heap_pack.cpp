#include "listener/heap_pack.hpp"

#include <cstdlib>

#include "base/sanitizer.hpp"

#if defined(__GLIBC__) && !defined(OROU_ASAN)
#include <malloc.h>
#define OROU_PACK_HEAP 1
#endif

namespace orou::listener {

namespace {

#ifdef OROU_PACK_HEAP
// glibc's tcache keeps up to 7 freed chunks of each size up to 1032 bytes.
constexpr std::size_t kTcacheMax = 1032, kStep = 16;
// A bound on the chunks kept (start-up leaves a few hundred holes).
constexpr std::size_t kMaxChunks = 16384;

// Below glibc's mmap threshold: every chunk comes from the heap.
constexpr std::size_t kLargest = 64 * 1024;
// Free memory left on top for a session: a plain one takes about 70 KiB
// of heap (measured), and under glibc's mmap threshold (128 KiB).
constexpr std::size_t kRoom = 120 * 1024;

// The free bytes outside the top of the heap: the holes.
std::size_t holes() {
    const struct mallinfo2 mi = ::mallinfo2();
    return mi.fordblks > mi.keepcost ? mi.fordblks - mi.keepcost : 0;
}
#endif

}  // namespace

// A chunk of `size` kept when it filled a hole; false (and nothing kept)
// when it came from the top of the heap, which it is given back to.
bool HeapPack::keep(std::size_t size) {
#ifdef OROU_PACK_HEAP
    if (kept_.size() >= kMaxChunks) return false;
    const struct mallinfo2 before = ::mallinfo2();
    void* p = std::malloc(size);
    if (!p) return false;
    const struct mallinfo2 after = ::mallinfo2();
    if (after.keepcost < before.keepcost || after.hblks > before.hblks) {  // fresh memory
        // Freed, a small one would wait in the tcache for a session's
        // first malloc of its size, one more page apart from the rest:
        // kept (one a size, 33 KiB in all).
        if (size <= kTcacheMax) kept_.push_back(p);
        else std::free(p);
        return false;
    }
    kept_.push_back(p);
    return true;
#else
    (void)size;
    return false;
#endif
}

// The tcache's sizes one by one, each until it comes from the top of the
// heap (the tcache holds up to 7 of each, and a malloc refills it from
// the bins of its size).
void HeapPack::fill_tcache() {
#ifdef OROU_PACK_HEAP
    for (std::size_t size = kStep; size <= kTcacheMax; size += kStep)
        while (keep(size)) {}
#endif
}

// The bins: the largest holes first, split into smaller chunks down to
// the smallest.  Many small holes cost as much as a large one: a page each.
void HeapPack::fill_bins() {
#ifdef OROU_PACK_HEAP
    for (std::size_t size = kLargest; size >= kStep && holes() > 0; size /= 2)
        while (holes() > 0 && keep(size)) {}
#endif
}

HeapPack::HeapPack() {
#ifdef OROU_PACK_HEAP
    kept_.reserve(kMaxChunks);
    // The bins first: asked for its small sizes while the bins still
    // hold large holes, the tcache's pass would split them into thousands
    // of tiny chunks.
    fill_bins();
    fill_tcache();
    // Room on top for a session, so it need not grow the heap: brk and
    // libc's note of it are two more page copies.  A chunk this size
    // grows the heap by glibc's top pad (128 KiB) beyond it; freed, it
    // goes back to the top, which keeps the pad.
    if (::mallinfo2().keepcost < kRoom) {
        void* volatile room = std::malloc(kRoom);  // volatile: a malloc freed unused may be elided
        std::free(room);
    }
#endif
}

HeapPack::~HeapPack() {
    for (void* p : kept_) std::free(p);
}

}  // namespace orou::listener
