#pragma once

#include "core/io/TensorMap.h"
#include "core/models/ResNeSt.h"

#include <torch/torch.h>

#include <string>

namespace resnest::test {

// Freshly constructed BatchNorms are the identity; random statistics and affine terms make folding and
// layout changes show up in the outputs.
inline void randomiseBatchNorm(torch::nn::Module& m) {
    torch::NoGradGuard g;
    for (auto& b : m.named_buffers()) {
        if (b.key().find("running_mean") != std::string::npos)
            b.value().normal_(0.0, 0.1);
        if (b.key().find("running_var") != std::string::npos)
            b.value().uniform_(0.5, 1.5);
    }
    for (auto& p : m.named_parameters())
        if (p.key().find("bn") != std::string::npos)
            p.value().uniform_(0.5, 1.5);
}

// A state dict with every key and shape of `config`, as a checkpoint would hold it.
inline io::TensorMap stateDictOf(const ResNeStConfig& config, const std::string& prefix = "") {
    ResNeSt m(config);
    io::TensorMap t;
    for (const auto& p : m->named_parameters())
        t[prefix + p.key()] = p.value().detach().clone();
    for (const auto& b : m->named_buffers())
        t[prefix + b.key()] = b.value().clone();
    return t;
}

} // namespace resnest::test
