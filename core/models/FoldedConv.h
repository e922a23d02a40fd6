#pragma once

#include <torch/torch.h>

namespace resnest {

// A convolution with the following BatchNorm folded into its weight and bias: one oneDNN call instead of
// a convolution plus a separate pass over the activations. Valid only for inference with frozen statistics.
struct FoldedConv {
    torch::Tensor weight;
    torch::Tensor bias;
    std::vector<int64_t> stride{1, 1};
    std::vector<int64_t> padding{0, 0};
    std::vector<int64_t> dilation{1, 1};
    int64_t groups = 1;

    static FoldedConv fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn);
    static FoldedConv plain(const torch::nn::Conv2d& conv);

    bool defined() const { return weight.defined(); }
    torch::Tensor operator()(const torch::Tensor& x) const {
        return torch::conv2d(x, weight, bias, stride, padding, dilation, groups);
    }
    void toChannelsLast();
};

} // namespace resnest
