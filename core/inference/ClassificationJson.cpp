#include "core/inference/ClassificationJson.h"

#include <nlohmann/json.hpp>

namespace resnest {

std::string ClassificationJson::toJson(const ClassificationResult& result, const std::string& imageName,
                                       double inferMs) {
    using nlohmann::json;
    json top = json::array();
    for (const ClassScore& s : result.top)
        top.push_back(
            {{"index", s.index}, {"label", s.label}, {"probability", s.probability}, {"logit", s.logit}});
    const json j{{"image", imageName}, {"task", "classify"}, {"top", top}, {"infer_ms", inferMs}};
    return j.dump(2);
}

} // namespace resnest
