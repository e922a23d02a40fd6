#pragma once

#include <string>
#include <torch/torch.h>
#include <vector>

namespace resnest {

enum class Precision { F32, F64, F16, BF16 };

// Where and in which precision a model runs. `validate` turns requests this build or machine cannot honour
// (CUDA without a GPU, float16 convolutions on CPU) into one clear error before any work starts.
struct ComputeOptions {
    std::string device = "cpu"; // "cpu", "cuda" or "cuda:N"
    Precision precision = Precision::F32;
    bool fuseBatchNorm = true; // fold BatchNorm into convolutions (inference only)
    bool channelsLast = false; // NHWC activations; see docs/benchmarks.md for when it wins
    bool mkldnn = true;        // CPU float32/bfloat16: oneDNN blocked activations, weights reordered once
    int threads = 0;           // intra-op threads on CPU; 0 = every core

    static Precision parsePrecision(const std::string& name);
    static std::string toString(Precision p);
    torch::Device torchDevice() const;
    torch::ScalarType scalarType() const;
    void validate() const;
    // "cpu", then "cuda:0" ... for every GPU this LibTorch build can use.
    static std::vector<std::string> availableDevices();
};

// Debian's LibTorch starts with one intra-op thread; inference wants every core.
void configureThreads(int threads);

} // namespace resnest
