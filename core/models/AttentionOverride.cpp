#include "core/models/AttentionOverride.h"

#include <stdexcept>

namespace resnest {

namespace {

int64_t parseIndex(const std::string& text, const std::string& whole) {
    size_t used = 0;
    long long v = -1;
    try {
        v = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size() || v < 0)
        throw std::invalid_argument("attention override '" + whole + "': '" + text +
                                    "' is not a non-negative index");
    return v;
}

} // namespace

AttentionOverride AttentionOverride::parse(const std::string& text) {
    if (text.empty() || text == "none")
        return {};
    if (text == "uniform")
        return uniform();
    const auto colon = text.find(':');
    const std::string head = text.substr(0, colon);
    if (colon != std::string::npos && head == "onehot")
        return oneHot(parseIndex(text.substr(colon + 1), text));
    if (colon != std::string::npos && head == "zero-group")
        return zeroGroup(parseIndex(text.substr(colon + 1), text));
    throw std::invalid_argument("attention override '" + text +
                                "': expected none, uniform, onehot:R or zero-group:K");
}

std::string AttentionOverride::toString() const {
    switch (kind) {
    case Kind::None:
        return "none";
    case Kind::Uniform:
        return "uniform";
    case Kind::OneHot:
        return "onehot:" + std::to_string(index);
    case Kind::ZeroGroup:
        return "zero-group:" + std::to_string(index);
    }
    return "none";
}

void AttentionOverride::check(int64_t radix, int64_t cardinality) const {
    if (kind == Kind::OneHot)
        TORCH_CHECK(index >= 0 && index < radix, "onehot:", index, " needs a block with more than ", index,
                    " radix splits; this one has ", radix);
    if (kind == Kind::ZeroGroup)
        TORCH_CHECK(index >= 0 && index < cardinality, "zero-group:", index, " needs more than ", index,
                    " cardinal groups; this block has ", cardinality);
}

torch::Tensor AttentionOverride::apply(const torch::Tensor& a, int64_t cardinality) const {
    if (kind == Kind::None)
        return a;
    const int64_t radix = a.size(1), channels = a.size(2);
    check(radix, cardinality);
    torch::Tensor out;
    switch (kind) {
    case Kind::Uniform:
        out = torch::full_like(a, 1.0 / double(radix));
        break;
    case Kind::OneHot:
        out = torch::zeros_like(a);
        out.select(1, index).fill_(1.0);
        break;
    case Kind::ZeroGroup: {
        const int64_t width = channels / cardinality;
        out = a.clone();
        out.narrow(2, index * width, width).zero_();
        break;
    }
    case Kind::None:
        break;
    }
    // A leaf of its own: the gradient of a score with respect to the attention is still defined at the
    // overridden point (the original weights no longer reach the output).
    if (torch::GradMode::is_enabled())
        out = out.detach().requires_grad_(true);
    return out;
}

} // namespace resnest
