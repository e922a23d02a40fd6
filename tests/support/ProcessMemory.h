#pragma once

#include <fstream>
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

} // namespace resnest
