#include "core/api/AttentionOverride.h"

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
    if (kind == Kind::OneHot && !(index >= 0 && index < radix))
        throw std::invalid_argument("onehot:" + std::to_string(index) + " needs a block with more than " +
                                    std::to_string(index) + " radix splits; this one has " +
                                    std::to_string(radix));
    if (kind == Kind::ZeroGroup && !(index >= 0 && index < cardinality))
        throw std::invalid_argument("zero-group:" + std::to_string(index) + " needs more than " +
                                    std::to_string(index) + " cardinal groups; this block has " +
                                    std::to_string(cardinality));
}

} // namespace resnest
