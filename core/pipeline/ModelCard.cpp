#include "core/pipeline/ModelCard.h"

#include "core/api/PredictOptions.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace resnest {
namespace {

using nlohmann::json;

json bodyJson(const ResNeStConfig& c) {
    return {{"name", c.name},
            {"layers", c.layers},
            {"radix", c.radix},
            {"cardinality", c.cardinality},
            {"bottleneck_width", c.bottleneckWidth},
            {"base_planes", c.basePlanes},
            {"deep_stem", c.deepStem},
            {"stem_width", c.stemWidth},
            {"avg_down", c.avgDown},
            {"avd", c.avd},
            {"avd_first", c.avdFirst},
            {"first_block_avd", c.firstBlockAvd},
            {"output_stride", c.outputStride},
            {"input_size", c.eval.inputSize},
            {"crop_pct", c.eval.cropPct},
            {"interpolation", c.eval.interpolation},
            {"mean", c.eval.mean},
            {"std", c.eval.std}};
}

// Reads `key` into `out` when present; a wrong type names the field.
template <typename T> void read(const json& j, const char* key, T& out, const std::string& where) {
    if (!j.contains(key))
        return;
    try {
        out = j.at(key).get<T>();
    } catch (const json::exception&) {
        throw std::runtime_error("model card: '" + where + "." + key + "' has the wrong type");
    }
}

ResNeStConfig bodyFrom(const json& j) {
    ResNeStConfig c;
    c.name = "custom";
    read(j, "name", c.name, "body");
    read(j, "layers", c.layers, "body");
    read(j, "radix", c.radix, "body");
    read(j, "cardinality", c.cardinality, "body");
    read(j, "bottleneck_width", c.bottleneckWidth, "body");
    read(j, "base_planes", c.basePlanes, "body");
    read(j, "deep_stem", c.deepStem, "body");
    read(j, "stem_width", c.stemWidth, "body");
    read(j, "avg_down", c.avgDown, "body");
    read(j, "avd", c.avd, "body");
    read(j, "avd_first", c.avdFirst, "body");
    read(j, "first_block_avd", c.firstBlockAvd, "body");
    read(j, "output_stride", c.outputStride, "body");
    read(j, "input_size", c.eval.inputSize, "body");
    read(j, "crop_pct", c.eval.cropPct, "body");
    read(j, "interpolation", c.eval.interpolation, "body");
    read(j, "mean", c.eval.mean, "body");
    read(j, "std", c.eval.std, "body");
    c.numClasses = 0;
    try {
        c.validate();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("model card: body: ") + e.what());
    }
    if (c.eval.inputSize < 8 || c.eval.inputSize > 4096 || !(c.eval.cropPct > 0.05 && c.eval.cropPct <= 1.0))
        throw std::runtime_error("model card: body input_size or crop_pct out of range");
    return c;
}

json segmenterJson(const SegmenterConfig& c) {
    return {{"aspp_rates", c.asppRates},
            {"align_corners", c.alignCorners},
            {"pixel_scale", c.pixelScale},
            {"bgr", c.bgr},
            {"mean", c.mean},
            {"std", c.std},
            {"dataset", c.dataset},
            {"input_short_side", c.inputShortSide},
            {"input_long_side", c.inputLongSide}};
}

SegmenterConfig segmenterFrom(const json& j) {
    SegmenterConfig c;
    read(j, "aspp_rates", c.asppRates, "segmenter");
    read(j, "align_corners", c.alignCorners, "segmenter");
    read(j, "pixel_scale", c.pixelScale, "segmenter");
    read(j, "bgr", c.bgr, "segmenter");
    read(j, "mean", c.mean, "segmenter");
    read(j, "std", c.std, "segmenter");
    read(j, "dataset", c.dataset, "segmenter");
    read(j, "input_short_side", c.inputShortSide, "segmenter");
    if (c.inputShortSide < 0 || c.inputShortSide > PredictOptions::kMaxShortSide)
        throw std::runtime_error("model card: segmenter.input_short_side out of range");
    read(j, "input_long_side", c.inputLongSide, "segmenter");
    if (c.inputLongSide < 0 || c.inputLongSide > PredictOptions::kMaxShortSide)
        throw std::runtime_error("model card: segmenter.input_long_side out of range");
    for (int r : c.asppRates)
        if (r < 1 || r > 256)
            throw std::runtime_error("model card: segmenter.aspp_rates out of range");
    return c;
}

json detectorJson(const DetectorConfig& c) {
    return {{"min_size", c.minSize},
            {"max_size", c.maxSize},
            {"size_divisible", c.sizeDivisible},
            {"pixel_scale", c.pixelScale},
            {"bgr", c.bgr},
            {"mean", c.mean},
            {"std", c.std},
            {"anchor_sizes", c.anchorSizes},
            {"aspect_ratios", c.aspectRatios},
            {"round_anchors", c.roundAnchors},
            {"nominal_anchor_strides", c.nominalAnchorStrides},
            {"rpn_pre_nms_top_n", c.rpnPreNmsTopN},
            {"rpn_post_nms_top_n", c.rpnPostNmsTopN},
            {"rpn_nms_thresh", c.rpnNmsThresh},
            {"rpn_score_thresh", c.rpnScoreThresh},
            {"rpn_min_size", c.rpnMinSize},
            {"roi_aligned", c.roiAligned},
            {"box_sampling_ratio", c.boxSamplingRatio},
            {"mask_sampling_ratio", c.maskSamplingRatio},
            {"box_coder_weights", c.boxCoderWeights},
            {"box_score_thresh", c.boxScoreThresh},
            {"box_nms_thresh", c.boxNmsThresh},
            {"detections_per_image", c.detectionsPerImage},
            {"box_min_size", c.boxMinSize},
            {"dataset", c.dataset}};
}

DetectorConfig detectorFrom(const json& j) {
    DetectorConfig c;
    const char* w = "detector";
    read(j, "min_size", c.minSize, w);
    read(j, "max_size", c.maxSize, w);
    read(j, "size_divisible", c.sizeDivisible, w);
    read(j, "pixel_scale", c.pixelScale, w);
    read(j, "bgr", c.bgr, w);
    read(j, "mean", c.mean, w);
    read(j, "std", c.std, w);
    read(j, "anchor_sizes", c.anchorSizes, w);
    read(j, "aspect_ratios", c.aspectRatios, w);
    read(j, "round_anchors", c.roundAnchors, w);
    read(j, "nominal_anchor_strides", c.nominalAnchorStrides, w);
    read(j, "rpn_pre_nms_top_n", c.rpnPreNmsTopN, w);
    read(j, "rpn_post_nms_top_n", c.rpnPostNmsTopN, w);
    read(j, "rpn_nms_thresh", c.rpnNmsThresh, w);
    read(j, "rpn_score_thresh", c.rpnScoreThresh, w);
    read(j, "rpn_min_size", c.rpnMinSize, w);
    read(j, "roi_aligned", c.roiAligned, w);
    read(j, "box_sampling_ratio", c.boxSamplingRatio, w);
    read(j, "mask_sampling_ratio", c.maskSamplingRatio, w);
    read(j, "box_coder_weights", c.boxCoderWeights, w);
    read(j, "box_score_thresh", c.boxScoreThresh, w);
    read(j, "box_nms_thresh", c.boxNmsThresh, w);
    read(j, "detections_per_image", c.detectionsPerImage, w);
    read(j, "box_min_size", c.boxMinSize, w);
    read(j, "dataset", c.dataset, w);
    // A hostile card must not make the transform allocate gigabytes or the RPN keep millions of boxes.
    auto bad = [](const std::string& what) { throw std::runtime_error("model card: detector." + what); };
    if (c.minSize < 16 || c.minSize > 4096 || c.maxSize < c.minSize || c.maxSize > 8192)
        bad("min_size / max_size out of range");
    if (c.sizeDivisible < 1 || c.sizeDivisible > 256)
        bad("size_divisible out of range");
    if (c.anchorSizes.size() != 5 || c.aspectRatios.empty() || c.aspectRatios.size() > 16)
        bad("anchor_sizes needs 5 sizes (P2-P6) and aspect_ratios 1-16 values");
    for (double v : c.anchorSizes)
        if (!(v > 0 && v < 10000))
            bad("anchor_sizes out of range");
    for (double v : c.aspectRatios)
        if (!(v > 0 && v < 100))
            bad("aspect_ratios out of range");
    if (c.rpnPreNmsTopN < 1 || c.rpnPreNmsTopN > 100000 || c.rpnPostNmsTopN < 1 || c.rpnPostNmsTopN > 100000)
        bad("rpn top-n out of range");
    if (c.detectionsPerImage < 1 || c.detectionsPerImage > 10000)
        bad("detections_per_image out of range");
    return c;
}

} // namespace

std::optional<ModelCard> ModelCard::fromMetadata(const std::map<std::string, std::string>& metadata) {
    auto it = metadata.find(kKey);
    if (it == metadata.end())
        return std::nullopt;
    json j;
    try {
        j = json::parse(it->second);
    } catch (const json::exception& e) {
        throw std::runtime_error(std::string("model card is not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        throw std::runtime_error("model card is not a JSON object");
    ModelCard card;
    read(j, "task", card.task, "card");
    read(j, "dataset", card.dataset, "card");
    read(j, "description", card.description, "card");
    read(j, "classes", card.classes, "card");
    read(j, "trained_with", card.trainedWith, "card");
    read(j, "metrics", card.metrics, "card");
    if (!card.task.empty() && card.task != "classify" && card.task != "segment" && card.task != "detect")
        throw std::runtime_error("model card: unknown task '" + card.task + "'");
    if (card.classes.size() > 100000)
        throw std::runtime_error("model card: too many classes");
    if (j.contains("body"))
        card.body = bodyFrom(j["body"]);
    if (j.contains("segmenter"))
        card.segmenter = segmenterFrom(j["segmenter"]);
    if (j.contains("detector"))
        card.detector = detectorFrom(j["detector"]);
    return card;
}

std::map<std::string, std::string> ModelCard::toMetadata() const {
    json j = {{"task", task},       {"dataset", dataset},          {"description", description},
              {"classes", classes}, {"trained_with", trainedWith}, {"metrics", metrics}};
    if (body)
        j["body"] = bodyJson(*body);
    if (segmenter)
        j["segmenter"] = segmenterJson(*segmenter);
    if (detector)
        j["detector"] = detectorJson(*detector);
    return {{"format", "pt"}, {kKey, j.dump()}};
}

void ModelCard::applyBody(ResNeStConfig& detected) const {
    if (!body)
        return;
    ResNeStConfig c = *body;
    c.numClasses = detected.numClasses;
    if (!c.sameWeightLayout(detected))
        throw std::runtime_error("model card: its body does not match the weights' shapes");
    detected = c;
}

void ModelCard::applySemantics(SegmenterConfig& config) const {
    if (!segmenter)
        return;
    const SegmenterConfig& s = *segmenter;
    config.asppRates = s.asppRates;
    config.alignCorners = s.alignCorners;
    config.pixelScale = s.pixelScale;
    config.bgr = s.bgr;
    config.mean = s.mean;
    config.std = s.std;
    config.dataset = s.dataset;
    config.inputShortSide = s.inputShortSide;
    config.inputLongSide = s.inputLongSide;
}

void ModelCard::applySemantics(DetectorConfig& config) const {
    if (!detector)
        return;
    // Everything DetectionModel::configFrom does not read off the tensors.
    DetectorConfig d = *detector;
    d.backbone = config.backbone;
    d.numClasses = config.numClasses;
    d.fpnChannels = config.fpnChannels;
    d.fpnNorm = config.fpnNorm;
    d.rpnConvDepth = config.rpnConvDepth;
    d.boxHeadConvs = config.boxHeadConvs;
    d.boxHeadNorm = config.boxHeadNorm;
    d.boxHeadConvChannels = config.boxHeadConvChannels;
    d.representationSize = config.representationSize;
    d.mask = config.mask;
    d.maskHeadConvs = config.maskHeadConvs;
    d.maskHeadNorm = config.maskHeadNorm;
    d.maskHeadChannels = config.maskHeadChannels;
    d.layout = config.layout;
    config = d;
}

} // namespace resnest
