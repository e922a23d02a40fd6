#include "core/models/FoldedConv.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <torch/version.h>
#include <utility>
#include <variant>

namespace resnest {
namespace {

std::vector<int64_t> vec(torch::ExpandingArray<2> a) {
    return {a->at(0), a->at(1)};
}

FoldedConv geometry(const torch::nn::Conv2d& conv) {
    const auto& o = conv->options;
    FoldedConv f;
    f.stride = vec(o.stride());
    f.dilation = vec(o.dilation());
#if TORCH_VERSION_MAJOR < 2
    // LibTorch 1.x keeps padding in c10::variant, 2.x in std::variant.
    const auto* pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
#else
    const auto* pad = std::get_if<torch::ExpandingArray<2>>(&o.padding());
#endif
    TORCH_CHECK(pad != nullptr, "FoldedConv supports explicit integer padding only");
    f.padding = vec(*pad);
    f.groups = o.groups();
    return f;
}

// LibTorch's prepacked oneDNN convolution is reached through the dispatcher: its C++ declarations are not
// among the installed headers, and a build without oneDNN registers no such operator.
const auto& prepackOp() {
    static const auto op = c10::Dispatcher::singleton().findSchema({"mkldnn_prepacked::conv2d_prepack", ""});
    return op;
}

const auto& runOp() {
    static const auto op = c10::Dispatcher::singleton().findSchema({"mkldnn_prepacked::conv2d_run", ""});
    return op;
}

// A weight in channels-last order whose strides also say so. LibTorch reads the memory format from the
// strides, and `contiguous(ChannelsLast)` leaves a 1x1 kernel's (O, I, 1, 1) weight with its NCHW strides
// (both orders are the same bytes): the prepacked convolution then picks the weight layout of oneDNN's
// blocked kernels and reorders the weight into the channels-last kernel's layout on every call.
torch::Tensor channelsLastStrides(const torch::Tensor& weight) {
    const auto o = weight.size(0), i = weight.size(1), h = weight.size(2), w = weight.size(3);
    auto out = torch::empty({o, h, w, i}, weight.options()).permute({0, 3, 1, 2});
    out.copy_(weight);
    return out;
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

// `input`: the batch, height and width of the inputs the weight's layout is chosen for.
c10::IValue prepack(const torch::Tensor& weight, const torch::Tensor& bias,
                    const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
                    const std::vector<int64_t>& dilation, int64_t groups, bool relu,
                    const std::array<int64_t, 3>& input) {
    const auto& op = prepackOp();
    TORCH_CHECK(op.has_value(), "this LibTorch has no prepacked oneDNN convolution");
    torch::jit::Stack stack;
    stack.emplace_back(channelsLastStrides(weight));
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

torch::Tensor runContext(const c10::IValue& context, const torch::Tensor& x) {
    torch::jit::Stack stack{x.contiguous(torch::MemoryFormat::ChannelsLast), context};
    runOp()->callBoxed(&stack);
    return stack.back().toTensor();
}

// The prepacked convolution has no gradient: a head kept fused while an explanation differentiates through
// it runs LibTorch's own convolution on the same folded weights.
bool differentiating(const torch::Tensor& x) {
    return torch::GradMode::is_enabled() && x.requires_grad();
}

} // namespace

struct FoldedConv::Prepacked {
    using Shape = std::array<int64_t, 3>; // batch, height, width
    std::mutex mutex;
    size_t capacity = 1;
    std::vector<std::pair<Shape, c10::IValue>> packings; // the most recently used first
};

torch::Tensor FoldedConv::runPrepacked(const torch::Tensor& x) const {
    const Prepacked::Shape input{x.size(0), x.size(2), x.size(3)};
    c10::IValue context;
    {
        std::lock_guard<std::mutex> lock(prepacked->mutex);
        auto& packings = prepacked->packings;
        auto it =
            std::find_if(packings.begin(), packings.end(), [&](const auto& p) { return p.first == input; });
        if (it == packings.end()) {
            if (packings.size() >= prepacked->capacity)
                packings.pop_back();
            packings.emplace(packings.begin(), input,
                             prepack(weight, bias, stride, padding, dilation, groups, contextRelu, input));
        } else {
            std::rotate(packings.begin(), it, it + 1);
        }
        context = packings.front().second;
    }
    return runContext(context, x);
}

torch::Tensor FoldedConv::operator()(const torch::Tensor& x) const {
    if (winograd.takes(x))
        return winograd(x, false);
    if (prepacked && !differentiating(x)) {
        TORCH_CHECK(!contextRelu, "this convolution was prepacked with its ReLU: call convRelu");
        return runPrepacked(x);
    }
    if (packed.defined())
        return torch::mkldnn_convolution(x, packed, bias, padding, stride, dilation, groups);
    return torch::conv2d(x, weight, bias, stride, padding, dilation, groups);
}

torch::Tensor FoldedConv::convRelu(const torch::Tensor& x) const {
    if (winograd.takes(x))
        return winograd(x, true);
    if (prepacked && !differentiating(x)) {
        TORCH_CHECK(contextRelu, "this convolution was prepacked without a ReLU");
        return runPrepacked(x);
    }
    return (*this)(x).relu_();
}

void FoldedConv::prepackChannelsLast(bool relu, int64_t side, int shapes) {
    torch::NoGradGuard noGrad;
    side = std::max<int64_t>(side, 1);
    auto packed = std::make_shared<Prepacked>();
    packed->capacity = static_cast<size_t>(std::max(shapes, 1));
    const Prepacked::Shape input{1, side, side};
    packed->packings.emplace_back(input,
                                  prepack(weight, bias, stride, padding, dilation, groups, relu, input));
    prepacked = std::move(packed);
    contextRelu = relu;
}

bool FoldedConv::canPrepack(const torch::Tensor& weight) {
    return weight.device().is_cpu() && prepackSupports(weight.scalar_type());
}

bool FoldedConv::prepackSupports(torch::ScalarType dtype) {
    if (!prepackOp().has_value() || !runOp().has_value() || !mkldnnSupports(dtype))
        return false;
    static std::mutex mutex;
    static std::map<torch::ScalarType, bool> known;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = known.find(dtype);
    if (it != known.end())
        return it->second;
    bool ok = false;
    try {
        c10::InferenceMode guard;
        const auto w = torch::ones({8, 8, 3, 3}, dtype);
        const auto context = prepack(w, torch::zeros({8}, dtype), {1, 1}, {1, 1}, {1, 1}, 1, true, {1, 8, 8});
        const auto y = runContext(context, torch::ones({1, 8, 8, 8}, dtype));
        // A ReLU of a sum of ones: every output is positive and at most 72 (3x3x8 ones).
        ok = y.min().item<double>() > 0 && y.max().item<double>() <= 72;
    } catch (const c10::Error&) {
        ok = false;
    }
    known[dtype] = ok;
    return ok;
}

FoldedConv FoldedConv::fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn) {
    torch::NoGradGuard noGrad;
    FoldedConv f = geometry(conv);
    const auto dtype = conv->weight.scalar_type();
    // Fold in float64 so that the folded float32 weights carry no extra rounding beyond one cast.
    auto w = conv->weight.to(torch::kFloat64);
    auto mean = bn->running_mean.to(torch::kFloat64);
    auto var = bn->running_var.to(torch::kFloat64);
    auto gamma = bn->options.affine() ? bn->weight.to(torch::kFloat64) : torch::ones_like(mean);
    auto beta = bn->options.affine() ? bn->bias.to(torch::kFloat64) : torch::zeros_like(mean);
    auto scale = gamma / torch::sqrt(var + bn->options.eps());
    auto b = beta - mean * scale;
    if (conv->options.bias())
        b = b + conv->bias.to(torch::kFloat64) * scale;
    f.weight = (w * scale.view({-1, 1, 1, 1})).to(dtype).contiguous();
    f.bias = b.to(dtype).contiguous();
    return f;
}

FoldedConv FoldedConv::plain(const torch::nn::Conv2d& conv) {
    FoldedConv f = geometry(conv);
    f.weight = conv->weight.detach();
    if (conv->options.bias())
        f.bias = conv->bias.detach();
    return f;
}

void FoldedConv::packForMkldnn() {
    packed = torch::mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), padding, stride, dilation, groups);
}

bool FoldedConv::mkldnnSupports(torch::ScalarType dtype) {
    if (!at::hasMKLDNN())
        return false;
    if (dtype == torch::kFloat32)
        return true;
    if (dtype != torch::kBFloat16)
        return false;
    // Probe once: LibTorch refuses oneDNN bfloat16 convolutions on CPUs without the instructions for them.
    static const bool ok = [] {
        try {
            c10::InferenceMode guard;
            auto w = torch::ones({8, 8, 3, 3}, torch::kBFloat16);
            auto packed = torch::mkldnn_reorder_conv2d_weight(w.to_mkldnn(), {1, 1}, {1, 1}, {1, 1}, 1);
            auto x = torch::ones({1, 8, 8, 8}, torch::kBFloat16).to_mkldnn();
            torch::mkldnn_convolution(x, packed, {}, {1, 1}, {1, 1}, {1, 1}, 1).to_dense();
            return true;
        } catch (const c10::Error&) {
            return false;
        }
    }();
    return ok;
}

void FoldedConv::prepareLinear() {
    const int64_t out = weight.size(0), in = weight.size(1);
    TORCH_CHECK(weight.size(2) == 1 && weight.size(3) == 1, "linear() needs a 1x1 convolution");
    linearWeight = weight.view({groups, out / groups, in}).transpose(1, 2).contiguous();
}

torch::Tensor FoldedConv::linear(const torch::Tensor& x) const {
    const int64_t n = x.size(0);
    torch::Tensor y;
    if (groups == 1) {
        y = bias.defined() ? torch::addmm(bias, x, linearWeight[0]) : torch::mm(x, linearWeight[0]);
    } else {
        const int64_t in = linearWeight.size(1);
        y = torch::bmm(x.view({n, groups, in}).transpose(0, 1), linearWeight)
                .transpose(0, 1)
                .reshape({n, -1});
        if (bias.defined())
            y += bias;
    }
    return y;
}

bool FoldedConv::prepareWinograd() {
    if (!WinogradConv::suits(weight, stride, padding, dilation, groups))
        return false;
    winograd = WinogradConv(weight, bias, groups);
    return true;
}

void FoldedConv::toChannelsLast() {
    if (weight.defined())
        weight = channelsLastStrides(weight);
}

} // namespace resnest
