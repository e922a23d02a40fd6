#pragma once

#include <fstream>
#include <malloc.h>
#include <unistd.h>

namespace resnest {

// Resident memory of this process in MiB (Linux /proc/self/statm; 0 elsewhere).
inline double residentMiB() {
    std::ifstream statm("/proc/self/statm");
    long long pages = 0, resident = 0;
    if (!(statm >> pages >> resident))
        return 0.0;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Bytes the program holds from malloc in MiB (glibc mallinfo2: chunks in use plus mmapped blocks), whatever
// the allocator keeps for reuse: a leak grows it, a high-water mark of the resident size does not.
inline double heapInUseMiB() {
    const struct mallinfo2 m = mallinfo2();
    return double(m.uordblks + m.hblkhd) / (1024.0 * 1024.0);
}

// The heap's own size in MiB: what glibc took from the system (its arena plus mmapped blocks), used or kept
// free.
inline double heapFootprintMiB() {
    const struct mallinfo2 m = mallinfo2();
    return double(m.arena + m.hblkhd) / (1024.0 * 1024.0);
}

} // namespace resnest
