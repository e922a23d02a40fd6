#include "core/models/PrepackedConv.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

namespace resnest {
namespace {

// Reached through the dispatcher: the operators' C++ declarations are not among the installed headers, and a
// build without oneDNN registers no such operator.
const auto& prepackOp() {
    static const auto op = c10::Dispatcher::singleton().findSchema({"mkldnn_prepacked::conv2d_prepack", ""});
    return op;
}

const auto& runOp() {
    static const auto op = c10::Dispatcher::singleton().findSchema({"mkldnn_prepacked::conv2d_run", ""});
    return op;
}

// Later LibTorch versions append arguments (post-op scalars, algorithm) to the prepack schema; they get
// their declared default, or the empty value of their type.
c10::IValue emptyArgument(const c10::Argument& a) {
    if (a.default_value())
        return *a.default_value();
    if (const auto* list = a.type()->castRaw<c10::ListType>())
        return c10::impl::GenericList(list->getElementType());
    return c10::IValue();
}

} // namespace

struct PrepackedConv::State {
    torch::Tensor weight; // channels-last strides
    torch::Tensor bias;
    std::vector<int64_t> stride, padding, dilation;
    int64_t groups = 1;
    bool relu = false;
    size_t capacity = 1;
    std::mutex mutex;
    std::vector<std::pair<Shape, c10::IValue>> packings; // the most recently used first

    c10::IValue pack(const Shape& input) const {
        const auto& op = prepackOp();
        TORCH_CHECK(op.has_value(), "this LibTorch has no prepacked oneDNN convolution");
        torch::jit::Stack stack;
        stack.emplace_back(weight);
        stack.emplace_back(bias.defined() ? c10::IValue(bias) : c10::IValue());
        stack.emplace_back(stride);
        stack.emplace_back(padding);
        stack.emplace_back(dilation);
        stack.emplace_back(groups);
        stack.emplace_back(std::vector<int64_t>{input[0], weight.size(1) * groups, input[1], input[2]});
        stack.emplace_back(std::string(relu ? "relu" : "none"));
        const auto& args = op->schema().arguments();
        for (size_t i = stack.size(); i < args.size(); ++i)
            stack.push_back(emptyArgument(args[i]));
        op->callBoxed(&stack);
        return stack.back();
    }

    c10::IValue packingFor(const Shape& input) {
        std::lock_guard<std::mutex> lock(mutex);
        auto it =
            std::find_if(packings.begin(), packings.end(), [&](const auto& p) { return p.first == input; });
        if (it == packings.end()) {
            if (packings.size() >= capacity)
                packings.pop_back();
            packings.emplace(packings.begin(), input, pack(input));
        } else {
            std::rotate(packings.begin(), it, it + 1);
        }
        return packings.front().second;
    }
};

PrepackedConv::PrepackedConv(const torch::Tensor& weight, const torch::Tensor& bias,
                             std::vector<int64_t> stride, std::vector<int64_t> padding,
                             std::vector<int64_t> dilation, int64_t groups, bool relu, int shapes,
                             const Shape* first)
    : state_(std::make_shared<State>()), relu_(relu) {
    torch::NoGradGuard noGrad;
    TORCH_CHECK(weight.dim() == 4, "PrepackedConv needs a (out, in / groups, kh, kw) weight");
    state_->weight = channelsLastStrides(weight.detach());
    if (bias.defined())
        state_->bias = bias.detach().contiguous();
    state_->stride = std::move(stride);
    state_->padding = std::move(padding);
    state_->dilation = std::move(dilation);
    state_->groups = groups;
    state_->relu = relu;
    state_->capacity = static_cast<size_t>(std::max(shapes, 1));
    if (first != nullptr)
        state_->packings.emplace_back(*first, state_->pack(*first));
}

PrepackedConv PrepackedConv::pointwise(const torch::Tensor& weight, const torch::Tensor& bias, bool relu,
                                       int shapes) {
    TORCH_CHECK(weight.dim() == 2 || (weight.dim() == 4 && weight.size(2) == 1 && weight.size(3) == 1),
                "PrepackedConv::pointwise needs an (out, in) or (out, in, 1, 1) weight, got ",
                weight.sizes());
    return PrepackedConv(weight.reshape({weight.size(0), weight.size(1), 1, 1}), bias, {1, 1}, {0, 0}, {1, 1},
                         1, relu, shapes);
}

torch::Tensor PrepackedConv::operator()(const torch::Tensor& x) const {
    TORCH_CHECK(defined(), "PrepackedConv: not packed");
    const c10::IValue context = state_->packingFor({x.size(0), x.size(2), x.size(3)});
    torch::jit::Stack stack{x.contiguous(torch::MemoryFormat::ChannelsLast), context};
    runOp()->callBoxed(&stack);
    return stack.back().toTensor();
}

torch::Tensor PrepackedConv::rows(const torch::Tensor& a) const {
    TORCH_CHECK(defined() && state_->weight.size(2) == 1 && state_->weight.size(3) == 1 &&
                    state_->groups == 1,
                "PrepackedConv::rows needs an ungrouped 1x1 convolution");
    TORCH_CHECK(a.dim() == 2 && a.size(1) == state_->weight.size(1), "PrepackedConv::rows needs (M, ",
                state_->weight.size(1), ") rows, got ", a.sizes());
    const int64_t m = a.size(0), in = a.size(1);
    // (M, in) row-major is a channels-last (1, in, 1, M) image, and the output (1, out, 1, M) channels-last
    // is (M, out) row-major: no copy either way.
    const auto y = (*this)(a.contiguous().view({1, 1, m, in}).permute({0, 3, 1, 2}));
    return y.permute({0, 2, 3, 1}).reshape({m, -1}).contiguous();
}

torch::Tensor PrepackedConv::channelsLastStrides(const torch::Tensor& weight) {
    const auto o = weight.size(0), i = weight.size(1), h = weight.size(2), w = weight.size(3);
    if (weight.strides() == c10::IntArrayRef{h * w * i, 1, w * i, i})
        return weight;
    auto out = torch::empty({o, h, w, i}, weight.options()).permute({0, 3, 1, 2});
    out.copy_(weight);
    return out;
}

bool PrepackedConv::canPrepack(const torch::Tensor& weight) {
    return weight.device().is_cpu() && supports(weight.scalar_type());
}

bool PrepackedConv::supports(torch::ScalarType dtype) {
    if (!at::hasMKLDNN() || !prepackOp().has_value() || !runOp().has_value())
        return false;
    if (dtype != torch::kFloat32 && dtype != torch::kBFloat16)
        return false;
    static std::mutex mutex;
    static std::map<torch::ScalarType, bool> known;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = known.find(dtype);
    if (it != known.end())
        return it->second;
    // Probe once: LibTorch refuses oneDNN bfloat16 convolutions on CPUs without the instructions for them.
    bool ok = false;
    try {
        c10::InferenceMode guard;
        const Shape shape{1, 8, 8};
        const PrepackedConv conv(torch::ones({8, 8, 3, 3}, dtype), torch::zeros({8}, dtype), {1, 1}, {1, 1},
                                 {1, 1}, 1, true, 1, &shape);
        const auto y = conv(torch::ones({1, 8, 8, 8}, dtype));
        // A ReLU of a sum of ones: every output is positive and at most 72 (3x3x8 ones).
        ok = y.min().item<double>() > 0 && y.max().item<double>() <= 72;
    } catch (const c10::Error&) {
        ok = false;
    }
    known[dtype] = ok;
    return ok;
}

} // namespace resnest
