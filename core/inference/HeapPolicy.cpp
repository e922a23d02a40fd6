#include "core/inference/HeapPolicy.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace resnest {

bool HeapPolicy::keepFreedMemory() {
#if defined(__GLIBC__)
    for (const char* name : {"MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_"})
        if (std::getenv(name) != nullptr)
            return false;
    if (const char* tunables = std::getenv("GLIBC_TUNABLES");
        tunables && std::strstr(tunables, "glibc.malloc."))
        return false;
    // Setting a threshold also stops glibc adapting it. 256 MB keeps a ResNeSt-50 detector's stride-4 maps at
    // 800x1333 (70 MB) in the heap; some glibc releases accept at most 32 MB, and a worker thread's arena
    // maps anything over 64 MB on its own whatever the threshold. -1 turns trimming off.
    const bool threshold =
        mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024) == 1 || mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
    return threshold && mallopt(M_TRIM_THRESHOLD, -1) == 1;
#else
    return false;
#endif
}

} // namespace resnest
