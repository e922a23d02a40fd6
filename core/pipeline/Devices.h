#pragma once

#include "core/api/ComputeOptions.h"

#include <string>
#include <vector>

namespace resnest {

// The machine's compute devices and threads, without LibTorch's headers (the GUI's model panel asks).
class Devices {
public:
    // "cpu", then "cuda:0" ... for every GPU this LibTorch build can use.
    static std::vector<std::string> available();
    // Turns requests this build or machine cannot honour (CUDA without a GPU, float16 convolutions on CPU)
    // into one clear error before any work starts.
    static void check(const ComputeOptions& compute);
    // Intra-op threads on CPU; 0 = every core (Debian's LibTorch starts with one). A ThreadSanitizer build always
    // takes one, and OpenCV's loops run on the calling thread there.
    static void setThreads(int threads);
    static int threads();
};

} // namespace resnest
