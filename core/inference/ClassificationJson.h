#pragma once

#include "core/api/ClassificationResult.h"

#include <string>

namespace resnest {

// One image's classification as JSON, the one schema of both the GUI's "export results" and `resnest-cli
// classify`. A string, so that callers need not link nlohmann_json.
class ClassificationJson {
public:
    // {"image", "task": "classify", "top": [{index, label, probability, logit}], "infer_ms"}.
    static std::string toJson(const ClassificationResult& result, const std::string& imageName,
                              double inferMs);
};

} // namespace resnest
