#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ImageBatch.h"
#include "app/cli/ModelOptions.h"
#include "core/imaging/ImageReader.h"
#include "core/inference/ClassificationJson.h"
#include "core/inference/Predictor.h"

#include <iomanip>
#include <iostream>
#include <stdexcept>

namespace resnest::cli {
namespace {

const char* const kUsage = R"(  classify IMAGE... [--topk K] [--json] [model options]
      top-k classes with the model's own evaluation transform
)";

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest, ModelOptions::with({"topk"}, ModelOptions::kValued),
                      ModelOptions::with({"json"}, ModelOptions::kFlags));
    auto model = ImageBatch::load(args, "classify");
    PredictOptions options;
    options.topk = args.getInt("topk", 5);
    const auto& images = args.positional();
    return ImageBatch::run(images, args.has("json"), [&](size_t i, nlohmann::json& entry) {
        const Prediction p = model->predict(ImageReader::read(images[i]), options);
        const ClassificationResult& r = p.classification;
        entry = nlohmann::json::parse(ClassificationJson::toJson(r, images[i], p.inferMs));
        if (!args.has("json")) {
            std::cout << images[i] << "\n";
            for (const auto& s : r.top)
                std::cout << "  " << std::fixed << std::setprecision(4) << s.probability << "  " << s.label
                          << " (" << s.index << ")\n";
        }
    });
}

} // namespace

CommandDispatcher::Entry classifyCommand() {
    return {"classify", kUsage, run, ""};
}

} // namespace resnest::cli
