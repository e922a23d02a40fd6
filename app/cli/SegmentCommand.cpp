#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ImageBatch.h"
#include "app/cli/ModelOptions.h"
#include "app/cli/OutputFiles.h"
#include "core/imaging/ImageReader.h"
#include "core/imaging/SegmentationOverlay.h"
#include "core/inference/Predictor.h"
#include "core/inference/SegmentationJson.h"

#include <iomanip>
#include <iostream>
#include <stdexcept>

namespace resnest::cli {
namespace {

const char* const kUsage =
    R"(  segment IMAGE... [--json] [--overlay OUT.png] [--short-side S] [--opacity A] [model options]
      DeepLabV3 / DeepLabV3+: classes present with their pixel share; --overlay draws the label map over
      the image (several images: OUT_<i>.png); --short-side resizes the image's shorter side to S first
      (0: as is; default: the model's own, from its card, else as is)
)";

int run(const std::vector<std::string>& rest) {
    ArgumentList args(rest, ModelOptions::with({"overlay", "short-side", "opacity"}, ModelOptions::kValued),
                      ModelOptions::with({"json"}, ModelOptions::kFlags));
    auto model = ImageBatch::load(args, "segment");
    PredictOptions options;
    options.shortSide = args.getInt("short-side", PredictOptions::kModelShortSide);
    SegmentationOverlayOptions overlay;
    overlay.opacity = args.getDouble("opacity", 0.55);
    const auto& images = args.positional();
    return ImageBatch::run(images, args.has("json"), [&](size_t i, nlohmann::json& entry) {
        const cv::Mat bgr = ImageReader::read(images[i]);
        const Prediction p = model->predict(bgr, options);
        const SegmentationResult& r = p.segmentation;
        entry = nlohmann::json::parse(SegmentationJson::toJson(r, model->labels(), images[i], p.inferMs));
        if (args.has("overlay")) {
            const std::string path = OutputFiles::indexedPath(args.get("overlay"), i, images.size());
            OutputFiles::writeImage(path, SegmentationOverlay::draw(bgr, r, model->labels(), overlay));
            entry["overlay"] = path;
        }
        if (!args.has("json")) {
            std::cout << images[i] << "\n";
            for (const auto& c : entry["classes"])
                std::cout << "  " << std::fixed << std::setprecision(3) << c["fraction"].get<double>() << "  "
                          << c["name"].get<std::string>() << " (" << c["index"].get<int>() << ")\n";
        }
    });
}

} // namespace

CommandDispatcher::Entry segmentCommand() {
    return {"segment", kUsage, run, ""};
}

} // namespace resnest::cli
