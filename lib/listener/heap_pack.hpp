// The free memory a process's start-up left in its heap, taken before it
// forks sessions: so what a forked child allocates comes from
// the top of the heap, a few pages side by side, not from holes spread
// over the parent's heap.  Every page a child writes costs a page fault
// (a copy of a page it shares with its parent), so a session that
// allocates a few KiB should write a few pages, not dozens.
#pragma once

#include <cstddef>
#include <vector>

namespace orou::listener {

class HeapPack {
public:
    HeapPack();  // fills the heap's free chunks (glibc malloc; elsewhere nothing)
    ~HeapPack();
    HeapPack(const HeapPack&) = delete;
    HeapPack& operator=(const HeapPack&) = delete;

    std::size_t chunks() const { return kept_.size(); }

private:
    bool keep(std::size_t size);
    void fill_tcache();
    void fill_bins();
    std::vector<void*> kept_;
};

}  // namespace orou::listener
