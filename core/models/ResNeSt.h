#pragma once

#include "core/api/BlockOverride.h"
#include "core/models/BlockCapture.h"
#include "core/models/FoldedConv.h"
#include "core/models/FusePlan.h"
#include "core/models/ResNeStBottleneck.h"
#include "core/models/ResNeStConfig.h"

#include <array>
#include <torch/torch.h>
#include <vector>

namespace resnest {

enum class Capture { Off, On };

struct ResNeStFeatures {
    std::array<torch::Tensor, 4> stages; // outputs of layer1..layer4 (C2..C5)
    std::vector<BlockCapture> blocks;    // one per block when captured, in network order
};

struct ResNeStOutput {
    torch::Tensor logits;             // (N, classes)
    std::vector<BlockCapture> blocks; // one per block when captured
};

// The ResNeSt family (official resnet.py semantics). Registered names equal the official / timm
// state-dict keys, so checkpoints load by name.
class ResNeStImpl : public torch::nn::Module {
public:
    explicit ResNeStImpl(ResNeStConfig config);

    ResNeStOutput forward(const torch::Tensor& x, Capture capture = Capture::Off);
    // `allStages` false leaves stages 1-3 undefined (classification needs only the last).
    ResNeStFeatures features(const torch::Tensor& x, Capture capture = Capture::Off, bool allStages = true);

    // Inference plan: fold every BatchNorm into its convolution and run as `plan` asks (FusePlan). With
    // oneDNN (CPU, float32 or bfloat16): channels-last activations through LibTorch's prepacked oneDNN
    // convolutions with their ReLUs fused (`prepacked`), or, without them or when asked, oneDNN's blocked
    // layout with weights reordered once (`mkldnn`); elsewhere plain tensors. Call after loading weights and
    // moving the model; `unfuse` returns to the module's own parameters.
    void fuse(const FusePlan& plan = {});
    void unfuse();
    bool fused() const { return fused_; }
    // The plan of the last fuse, as asked (what runs follows from it and the device: the accessors below).
    const FusePlan& plan() const { return plan_; }
    bool channelsLast() const { return channelsLast_; }
    // oneDNN's blocked activations.
    bool mkldnn() const { return mkldnn_; }
    // Channels-last activations through prepacked oneDNN convolutions.
    bool prepacked() const { return prepacked_; }

    const ResNeStConfig& config() const { return config_; }
    // Names of all blocks, "layer1.0" ... in network order.
    std::vector<std::string> blockNames() const;
    // The block called `name` ("layer3.0"); throws (c10::Error) naming the valid range otherwise.
    ResNeStBottleneck block(const std::string& name) const;
    // Intervene on one block's attention (AttentionOverride{} lifts it); clearOverrides lifts all.
    void setAttentionOverride(const std::string& name, const AttentionOverride& o);
    void clearAttentionOverrides();
    // Lifts every earlier override, then sets these in order; std::invalid_argument names a bad one (and
    // leaves none set).
    void setAttentionOverrides(const std::vector<BlockOverride>& overrides);

    torch::nn::Sequential stem{nullptr}; // "conv1": the deep stem, or a single 7x7 conv
    torch::nn::BatchNorm2d bn1{nullptr};
    std::array<torch::nn::ModuleList, 4> layers;
    torch::nn::Linear fc{nullptr};

private:
    torch::Tensor stemForward(const torch::Tensor& x);

    ResNeStConfig config_;
    std::vector<std::vector<ResNeStBottleneck>> blocks_;
    std::vector<std::vector<int64_t>> splitStrides_;
    bool fused_ = false;
    FusePlan plan_;
    bool channelsLast_ = false;
    bool mkldnn_ = false;
    bool prepacked_ = false;
    std::vector<torch::nn::Conv2d> stemConvs_;
    std::vector<torch::nn::BatchNorm2d> stemBns_;
    std::vector<FoldedConv> fusedStem_;
};
TORCH_MODULE(ResNeSt);

} // namespace resnest
