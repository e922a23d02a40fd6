#include "core/pipeline/HeapPolicy.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace resnest {

bool HeapPolicy::keepFreedMemory() {
#if defined(__GLIBC__)
    for (const char* name :
         {"MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_ARENA_MAX"})
        if (std::getenv(name) != nullptr)
            return false;
    if (const char* tunables = std::getenv("GLIBC_TUNABLES");
        tunables && std::strstr(tunables, "glibc.malloc."))
        return false;
    // Setting a threshold also stops glibc adapting it. 256 MB keeps a ResNeSt-50 detector's stride-4 maps at
    // 800x1333 (70 MB) in the heap; some glibc releases accept at most 32 MB. -1 turns trimming off.
    const bool threshold =
        mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024) == 1 || mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
    // One arena for every thread: a worker thread's arena is made of 64 MB heaps that glibc unmaps whenever
    // one falls empty, whatever the trim threshold, so the inspector's inference thread kept faulting (the
    // live pipeline drew 2.0 frames a second instead of 6.8 with it, beside a training run), and maps every
    // block over 64 MB on its own. Threads here allocate a few large blocks a frame, so they hardly wait
    // on the one arena's lock.
    return threshold && mallopt(M_TRIM_THRESHOLD, -1) == 1 && mallopt(M_ARENA_MAX, 1) == 1;
#else
    return false;
#endif
}

} // namespace resnest
