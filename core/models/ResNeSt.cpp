#include "core/models/ResNeSt.h"

#include <cstdio>

namespace resnest {

namespace nn = torch::nn;

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

struct StageGeometry {
    int64_t stride;
    int64_t dilation;
    int64_t firstDilation;
};

// Official dilated ResNet: output stride 16 dilates layer4, 8 dilates layer3 and layer4; a dilated
// stage's first block runs at half the stage's dilation.
std::array<StageGeometry, 4> geometry(int outputStride) {
    if (outputStride == 8)
        return {{{1, 1, 1}, {2, 1, 1}, {1, 2, 1}, {1, 4, 2}}};
    if (outputStride == 16)
        return {{{1, 1, 1}, {2, 1, 1}, {2, 1, 1}, {1, 2, 1}}};
    return {{{1, 1, 1}, {2, 1, 1}, {2, 1, 1}, {2, 1, 1}}};
}

} // namespace

ResNeStImpl::ResNeStImpl(ResNeStConfig config) : config_(std::move(config)) {
    config_.validate();
    const auto& c = config_;
    int64_t inplanes = c.deepStem ? c.stemWidth * 2 : 64;
    stem = nn::Sequential();
    if (c.deepStem) {
        stemConvs_ = {conv3x3(3, c.stemWidth, 2), conv3x3(c.stemWidth, c.stemWidth, 1),
                      conv3x3(c.stemWidth, inplanes, 1)};
        stemBns_ = {nn::BatchNorm2d(c.stemWidth), nn::BatchNorm2d(c.stemWidth)};
        // Indices 0, 1, 3, 4, 6 are the checkpoint's conv1.N keys.
        stem->push_back(stemConvs_[0]);
        stem->push_back(stemBns_[0]);
        stem->push_back(nn::ReLU());
        stem->push_back(stemConvs_[1]);
        stem->push_back(stemBns_[1]);
        stem->push_back(nn::ReLU());
        stem->push_back(stemConvs_[2]);
    } else {
        stemConvs_ = {nn::Conv2d(nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false))};
        stem->push_back(stemConvs_[0]);
    }
    register_module("conv1", stem);
    bn1 = register_module("bn1", nn::BatchNorm2d(inplanes));

    const auto geo = geometry(c.outputStride);
    int64_t inputStride = 4; // stem conv and max-pool
    for (int i = 0; i < 4; ++i) {
        const int64_t planes = int64_t(c.basePlanes) << i;
        layers[i] = nn::ModuleList();
        blocks_.emplace_back();
        splitStrides_.emplace_back();
        for (int j = 0; j < c.layers[i]; ++j) {
            BottleneckOptions o;
            o.inplanes = inplanes;
            o.planes = planes;
            o.stride = j == 0 ? geo[i].stride : 1;
            o.dilation = j == 0 ? geo[i].firstDilation : geo[i].dilation;
            o.radix = c.radix;
            o.cardinality = c.cardinality;
            o.bottleneckWidth = c.bottleneckWidth;
            o.avd = c.avd;
            o.avdFirst = c.avdFirst;
            o.isFirst = c.firstBlockAvd && j == 0 && i > 0;
            o.avgDown = c.avgDown;
            o.downsample = j == 0 && (geo[i].stride != 1 || inplanes != planes * 4);
            o.downsampleStride = geo[i].dilation == 1 ? geo[i].stride : 1;
            ResNeStBottleneck block(o);
            layers[i]->push_back(block);
            blocks_[i].push_back(block);
            splitStrides_[i].push_back(inputStride * block->splitStride());
            inputStride *= o.stride;
            inplanes = planes * 4;
        }
        register_module("layer" + std::to_string(i + 1), layers[i]);
    }
    if (c.numClasses > 0)
        fc = register_module("fc", nn::Linear(inplanes, c.numClasses));
}

std::vector<std::string> ResNeStImpl::blockNames() const {
    std::vector<std::string> names;
    for (size_t i = 0; i < blocks_.size(); ++i)
        for (size_t j = 0; j < blocks_[i].size(); ++j)
            names.push_back("layer" + std::to_string(i + 1) + "." + std::to_string(j));
    return names;
}

ResNeStBottleneck ResNeStImpl::block(const std::string& name) const {
    int stage = -1, index = -1;
    char tail = 0;
    const bool parsed = std::sscanf(name.c_str(), "layer%d.%d%c", &stage, &index, &tail) == 2;
    TORCH_CHECK(parsed && stage >= 1 && size_t(stage) <= blocks_.size() && index >= 0 &&
                    size_t(index) < blocks_[size_t(stage - 1)].size(),
                "no block '", name, "' in this network (layer1.0 .. layer", blocks_.size(), ".",
                blocks_.empty() ? 0 : blocks_.back().size() - 1, ")");
    return blocks_[size_t(stage - 1)][size_t(index)];
}

void ResNeStImpl::setAttentionOverride(const std::string& name, const AttentionOverride& o) {
    block(name)->conv2->setOverride(o);
}

void ResNeStImpl::clearAttentionOverrides() {
    for (auto& stage : blocks_)
        for (auto& b : stage)
            b->conv2->setOverride({});
}

void ResNeStImpl::setAttentionOverrides(const std::vector<BlockOverride>& overrides) {
    clearAttentionOverrides();
    for (const BlockOverride& o : overrides) {
        try {
            setAttentionOverride(o.block, o.mode);
        } catch (const c10::Error& e) {
            clearAttentionOverrides();
            throw std::invalid_argument(e.msg());
        } catch (const std::invalid_argument& e) {
            clearAttentionOverrides();
            throw std::invalid_argument(o.block + ": " + e.what());
        }
    }
}

torch::Tensor ResNeStImpl::stemForward(const torch::Tensor& input) {
    torch::Tensor x = input;
    if (mkldnn_)
        x = x.contiguous().to_mkldnn();
    else if (channelsLast_)
        x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    if (fused_) {
        // fusedStem_: deep stem = [conv+bn, conv+bn, conv+bn1]; plain stem = [conv+bn1].
        for (const auto& conv : fusedStem_)
            x = conv.convRelu(x);
    } else {
        x = torch::relu(bn1(stem->forward(x)));
    }
    return torch::max_pool2d(x, 3, 2, 1);
}

ResNeStFeatures ResNeStImpl::features(const torch::Tensor& input, Capture capture, bool allStages) {
    TORCH_CHECK(input.dim() == 4 && input.size(1) == 3, "expected an (N, 3, H, W) input, got ",
                input.sizes());
    const bool on = capture == Capture::On;
    ResNeStFeatures f;
    torch::Tensor x = stemForward(input);
    for (size_t i = 0; i < blocks_.size(); ++i) {
        for (size_t j = 0; j < blocks_[i].size(); ++j) {
            BottleneckOutput b = blocks_[i][j]->forward(x, on);
            x = b.output;
            if (on) {
                BlockCapture cap;
                cap.name = "layer" + std::to_string(i + 1) + "." + std::to_string(j);
                cap.attention = b.attention;
                cap.splits = b.splits;
                cap.radixMaps =
                    b.radixMaps.defined() ? b.radixMaps : BlockCapture::radixMapsOf(b.attention, b.splits);
                cap.stride = splitStrides_[i][j];
                cap.cardinality = config_.cardinality;
                f.blocks.push_back(std::move(cap));
            }
        }
        if (allStages || i + 1 == blocks_.size())
            f.stages[i] = x.is_mkldnn() ? x.to_dense() : x;
    }
    return f;
}

ResNeStOutput ResNeStImpl::forward(const torch::Tensor& x, Capture capture) {
    TORCH_CHECK(!fc.is_empty(), "this ResNeSt has no classifier (fc): it is a backbone for a head");
    ResNeStFeatures f = features(x, capture, false);
    torch::Tensor pooled = f.stages[3].mean({2, 3});
    return {fc(pooled), std::move(f.blocks)};
}

void ResNeStImpl::fuse(const FusePlan& plan) {
    torch::NoGradGuard noGrad;
    const auto& w = bn1->weight;
    // oneDNN is a CPU float32 / bfloat16 plan; elsewhere the request falls back to plain tensors. Prepacked
    // channels-last convolutions come first (docs/benchmarks.md); oneDNN's blocked layout is the plan of
    // LibTorch builds without them, or asked for. Without oneDNN, channels-last is LibTorch's own NHWC path.
    prepacked_ = plan.oneDnn && !plan.blocked && PrepackedConv::canPrepack(w);
    channelsLast_ = plan.channelsLast || prepacked_;
    mkldnn_ = plan.oneDnn && !prepacked_ && !plan.channelsLast && w.device().is_cpu() &&
              FoldedConv::mkldnnSupports(w.scalar_type());
    fusedStem_.clear();
    // The stem's last conv is followed by the network's bn1; the deep stem's inner convs by their own BN.
    for (size_t i = 0; i < stemConvs_.size(); ++i)
        fusedStem_.push_back(FoldedConv::fold(stemConvs_[i], i < stemBns_.size() ? stemBns_[i] : bn1));
    auto half = [](int64_t side) { return (side + 1) / 2; };
    for (size_t i = 0; i < fusedStem_.size(); ++i) {
        FoldedConv& f = fusedStem_[i];
        if (channelsLast_)
            f.toChannelsLast();
        if (mkldnn_)
            f.packForMkldnn();
        if (prepacked_)
            f.prepackChannelsLast(true, i == 0 ? plan.inputSide : half(plan.inputSide));
    }
    // Every block takes the network's plan, small maps included: keeping oneDNN's blocked layout for the
    // 14x14 and 7x7 blocks (reorders at the switch, the ReLUs and the residual add as separate passes, a
    // primitive lookup per call) cost resnest50 10 % on an AMD EPYC and bought about 1 ms, within the noise,
    // on a Xeon (docs/benchmarks.md).
    int64_t side = half(half(plan.inputSide));
    for (auto& stage : blocks_) {
        for (auto& block : stage) {
            block->fuse(channelsLast_, mkldnn_, prepacked_, side, plan.winograd);
            side = block->outputSide(side);
        }
    }
    plan_ = plan;
    fused_ = true;
}

void ResNeStImpl::unfuse() {
    for (auto& stage : blocks_)
        for (auto& block : stage)
            block->unfuse();
    fused_ = false;
    channelsLast_ = false;
    mkldnn_ = false;
    prepacked_ = false;
}

} // namespace resnest
