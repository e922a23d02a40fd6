#pragma once

#include <string>
#include <torch/torch.h>

namespace resnest {

// What one split-attention block computed for a batch, captured on request.
struct BlockCapture {
    std::string name;        // "layerI.J", as in the state-dict keys
    torch::Tensor attention; // (N, R, C): rSoftMax (sigmoid when R == 1) output, radix-major
    torch::Tensor splits;    // (N, R, C, H, W): the radix splits U_r
    torch::Tensor radixMaps; // (N, R, H, W): sum_c attention[n, r, c] * U_r[n, c, h, w]
    int64_t stride = 1;      // network-input pixels per pixel of splits / radixMaps
    int64_t cardinality = 1;

    // radixMaps from attention and splits, as a batched matrix-vector product over channels.
    static torch::Tensor radixMapsOf(const torch::Tensor& attention, const torch::Tensor& splits);
    // The same maps restricted to each cardinal group's channels: (N, K, R, H, W); they sum over K to
    // radixMapsOf. Channel c of a split belongs to group c / (C / K), as the grouped convolutions lay it out.
    static torch::Tensor groupRadixMapsOf(const torch::Tensor& attention, const torch::Tensor& splits,
                                          int64_t cardinality);
};

} // namespace resnest
