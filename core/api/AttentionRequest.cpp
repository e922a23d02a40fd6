#include "core/api/AttentionRequest.h"

#include <sstream>
#include <stdexcept>

namespace resnest {

std::vector<BlockOverride> AttentionRequest::parseOverrides(const std::string& list) {
    std::vector<BlockOverride> out;
    std::stringstream items(list);
    std::string item;
    while (std::getline(items, item, ',')) {
        if (item.empty())
            continue;
        const auto eq = item.find('=');
        if (eq == std::string::npos)
            throw std::invalid_argument("'" + item + "': expected BLOCK=MODE, e.g. layer3.0=onehot:1");
        out.push_back({item.substr(0, eq), AttentionOverride::parse(item.substr(eq + 1))});
    }
    return out;
}

int AttentionRequest::pickDetection(const std::vector<int>& labels) const {
    if (explainDetection >= 0)
        return explainDetection < int(labels.size()) ? explainDetection : -1;
    if (explainClass == kExplainPredicted)
        return labels.empty() ? -1 : 0;
    for (size_t i = 0; i < labels.size() && explainClass >= 0; ++i)
        if (labels[i] == explainClass)
            return int(i);
    return -1;
}

} // namespace resnest
