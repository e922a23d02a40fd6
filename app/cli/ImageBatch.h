#pragma once

#include "app/cli/ArgumentList.h"
#include "core/inference/Predictor.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace resnest::cli {

// The per-image loop of the image commands: one JSON entry per image, starting as {"image": path}. An image
// that fails is reported on stderr, its entry keeps what it had and gets "error", and the batch goes on, so
// one unreadable file neither stops a batch nor hides which results are missing.
class ImageBatch {
public:
    using Step = std::function<void(std::size_t index, nlohmann::json& entry)>;

    // With `printJson` the entries go to stdout as one array at the end. Returns the exit status: 1 when an
    // image failed, else 0.
    static int run(const std::vector<std::string>& images, bool printJson, const Step& step);
    // The model of the image command named after its task ("classify", "segment", "detect"): the images are
    // checked to be there first, then the model options load the model with its task forced.
    static std::unique_ptr<Predictor> load(const ArgumentList& args, const std::string& task);
};

} // namespace resnest::cli
