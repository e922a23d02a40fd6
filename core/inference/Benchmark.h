#pragma once

#include "core/inference/ModelSpec.h"

#include <string>
#include <vector>

namespace resnest {

struct BenchmarkOptions {
    ModelSpec model;
    int size = 224;
    int batch = 1;
    bool capture = false;
    int warmup = 5;
    int iterations = 30;
};

struct BenchmarkResult {
    std::string architecture;
    std::string device;
    std::string precision;
    int size = 0;
    int batch = 0;
    int threads = 0;
    bool capture = false;
    bool fused = false;
    bool channelsLast = false;
    bool mkldnn = false;
    int iterations = 0;
    double medianMs = 0, meanMs = 0, minMs = 0, p90Ms = 0;
    double throughputIps = 0; // images per second at the median latency
};

// Latency of the network alone on a random normalised input (no decode or preprocessing).
class Benchmark {
public:
    static BenchmarkResult run(const BenchmarkOptions& options);
};

} // namespace resnest
