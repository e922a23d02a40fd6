#include "app/cli/ArgumentList.h"
#include "app/cli/Commands.h"
#include "app/cli/ImageBatch.h"
#include "app/cli/ModelOptions.h"
#include "app/cli/OutputFiles.h"
#include "core/imaging/DetectionOverlay.h"
#include "core/imaging/ImageReader.h"
#include "core/inference/CocoResultWriter.h"
#include "core/inference/Predictor.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace resnest::cli {
namespace {

const char* const kUsage =
    R"(  detect IMAGE... [--json] [--overlay OUT.png] [--masks rle|polygon|none] [--only CLASS,...]
         [detection options] [model options]
      Faster / Mask R-CNN: detections; --json prints the COCO results format (image_id = argument index)
)";

CocoResultOptions cocoOptions(const std::string& masks) {
    CocoResultOptions coco;
    if (masks == "rle")
        coco.masks = CocoResultOptions::Masks::Rle;
    else if (masks == "polygon")
        coco.masks = CocoResultOptions::Masks::Polygons;
    else if (masks == "none")
        coco.masks = CocoResultOptions::Masks::None;
    else
        throw std::invalid_argument("--masks must be rle, polygon or none");
    return coco;
}

// --only person,dog: report and draw those classes alone.
std::set<int> onlyClasses(const std::string& list, const DatasetLabels& labels) {
    std::set<int> only;
    for (std::string rest = list; !rest.empty();) {
        const auto comma = rest.find(',');
        const std::string name = rest.substr(0, comma);
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        const auto& names = labels.names();
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
            throw std::invalid_argument("--only: no class '" + name + "' in " + labels.dataset());
        only.insert(int(it - names.begin()));
    }
    return only;
}

int run(const std::vector<std::string>& rest) {
    ArgumentList args(
        rest,
        ModelOptions::with(ModelOptions::with({"overlay", "masks", "only"}, ModelOptions::kValued),
                           ModelOptions::kDetectValued),
        ModelOptions::with({"json"}, ModelOptions::kFlags));
    auto model = ImageBatch::load(args, "detect");
    // Unlike export's, these values are passed on unchecked.
    PredictOptions options;
    options.scoreThreshold = args.getDouble("score-threshold", model->defaultScoreThreshold());
    options.nmsIou = args.getDouble("nms-iou", -1);
    options.maxDetections = args.getInt("max-detections", -1);
    const CocoResultOptions coco = cocoOptions(args.get("masks", "rle"));
    DetectionOverlayOptions overlay;
    overlay.scoreThreshold = float(options.scoreThreshold);
    const std::set<int> only = onlyClasses(args.get("only"), model->labels());
    nlohmann::json all = nlohmann::json::array();
    int failures = 0;
    const auto& images = args.positional();
    for (size_t i = 0; i < images.size(); ++i) {
        try {
            const cv::Mat bgr = ImageReader::read(images[i]);
            const Prediction p = model->predict(bgr, options);
            DetectionResult r = p.detection;
            if (!only.empty())
                r.detections.erase(std::remove_if(r.detections.begin(), r.detections.end(),
                                                  [&](const Detection& d) { return !only.count(d.label); }),
                                   r.detections.end());
            for (auto& d :
                 nlohmann::json::parse(CocoResultWriter::toJson(r, int64_t(i), model->labels(), coco)))
                all.push_back(d);
            if (args.has("overlay"))
                OutputFiles::writeImage(OutputFiles::indexedPath(args.get("overlay"), i, images.size()),
                                        DetectionOverlay::draw(bgr, r, model->labels(), overlay));
            if (!args.has("json")) {
                std::cout << images[i] << ": " << r.detections.size() << " detections (" << std::fixed
                          << std::setprecision(1) << p.inferMs << " ms)\n";
                for (const auto& d : r.detections)
                    std::cout << "  " << std::setprecision(3) << d.score << "  "
                              << model->labels().name(d.label) << "  [" << std::setprecision(1) << d.box[0]
                              << ", " << d.box[1] << ", " << d.box[2] << ", " << d.box[3] << "]\n";
            }
        } catch (const std::exception& e) {
            ++failures;
            std::cerr << "error: " << images[i] << ": " << e.what() << "\n";
        }
    }
    if (args.has("json"))
        std::cout << all.dump(2) << "\n";
    return failures ? 1 : 0;
}

} // namespace

CommandDispatcher::Entry detectCommand() {
    return {"detect", kUsage, run, ""};
}

} // namespace resnest::cli
