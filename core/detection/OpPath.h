#pragma once

namespace resnest::detection {

// Which implementation a detection operator runs. Fastest: the CPU kernel where it applies (float32, float64
// or bfloat16 on the CPU, no gradient needed), LibTorch ops elsewhere. LibTorchOps: LibTorch ops always, the path
// CUDA, other dtypes and gradients take; the tests ask for it to check that path on a CPU.
enum class OpPath { Fastest, LibTorchOps };

} // namespace resnest::detection
