#include "core/imaging/PredictionRenderer.h"

#include "core/attention/AttentionStatistics.h"
#include "core/imaging/HeatmapRenderer.h"
#include "core/imaging/RadixMapProjector.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <opencv2/imgproc.hpp>

namespace resnest {

namespace {

// An 8-bit BGR copy to draw on (the caller's image is never drawn on).
cv::Mat bgrCopy(const cv::Mat& image) {
    cv::Mat out;
    if (image.channels() == 1)
        cv::cvtColor(image, out, cv::COLOR_GRAY2BGR);
    else
        out = image.clone();
    return out;
}

void drawBanner(cv::Mat& image, const ClassificationResult& result) {
    if (result.top.empty())
        return;
    const ClassScore& best = result.top.front();
    char text[160];
    std::snprintf(text, sizeof text, "%s  %.1f%%", best.label.c_str(), 100.0 * best.probability);
    const int font = cv::FONT_HERSHEY_SIMPLEX;
    // About 3% of the shorter side, so the banner reads the same on thumbnails and full frames.
    const double scale = std::max(0.4, std::min(image.cols, image.rows) / 700.0);
    const int thickness = std::max(1, int(scale * 2));
    int baseline = 0;
    const cv::Size size = cv::getTextSize(text, font, scale, thickness, &baseline);
    const int pad = std::max(3, size.height / 3);
    cv::rectangle(image, {0, 0}, {size.width + 2 * pad, size.height + baseline + 2 * pad}, {0, 0, 0},
                  cv::FILLED);
    cv::putText(image, text, {pad, pad + size.height}, font, scale, {255, 255, 255}, thickness, cv::LINE_AA);
}

} // namespace

cv::Mat PredictionRenderer::radixMapOnImage(const Prediction& prediction, cv::Size imageSize,
                                            const AttentionMapOptions& options,
                                            std::pair<double, double>* range) {
    const std::vector<AttentionBlock>& blocks = prediction.blocks();
    if (blocks.empty() || prediction.task == ModelTask::Detect)
        return {};
    const AttentionBlock* block = &blocks.back();
    for (const AttentionBlock& b : blocks)
        if (b.name == options.block)
            block = &b;
    if (block->radixMaps.empty())
        return {};
    const int r = std::clamp(options.radix, 0, int(block->radixMaps.size()) - 1);
    const cv::Mat& feature = block->radixMaps[size_t(r)];
    if (range) {
        const std::vector<cv::Mat> own{feature};
        *range = AttentionStatistics::sharedRange(options.perMapScale ? own : block->radixMaps);
    }
    if (prediction.task == ModelTask::Classify)
        return RadixMapProjector::toImage(feature, block->stride, prediction.classification.geometry);
    // A segmenter's features cover the image to within one stride when it ran at the image's size; otherwise
    // they cover its resized input, which is then scaled to the image.
    const cv::Size covered(feature.cols * block->stride, feature.rows * block->stride);
    if (std::abs(covered.width - imageSize.width) < block->stride &&
        std::abs(covered.height - imageSize.height) < block->stride)
        return RadixMapProjector::toInput(feature, block->stride, imageSize);
    cv::Mat out;
    cv::resize(RadixMapProjector::toInput(feature, block->stride, covered), out, imageSize, 0, 0,
               cv::INTER_LINEAR);
    return out;
}

cv::Mat PredictionRenderer::draw(const cv::Mat& image, const Prediction& prediction,
                                 const DatasetLabels& labels, const OverlayOptions& options,
                                 std::vector<int>* drawnDetections) {
    cv::Mat out = drawPrediction(image, prediction, labels, options, drawnDetections);
    if (options.attention.show) {
        std::pair<double, double> range;
        const cv::Mat map = radixMapOnImage(prediction, out.size(), options.attention, &range);
        if (!map.empty())
            out = HeatmapRenderer::blend(out, map, range.first, range.second, options.attention.opacity,
                                         HeatmapRenderer::colormapByName(options.attention.colormap));
    }
    return out;
}

cv::Mat PredictionRenderer::drawPrediction(const cv::Mat& image, const Prediction& prediction,
                                           const DatasetLabels& labels, const OverlayOptions& options,
                                           std::vector<int>* drawnDetections) {
    if (drawnDetections)
        drawnDetections->clear();
    switch (prediction.task) {
    case ModelTask::Segment:
        if (!prediction.segmentation.labels.empty())
            return SegmentationOverlay::draw(image, prediction.segmentation, labels, options.segmentation);
        break;
    case ModelTask::Detect:
        return DetectionOverlay::draw(image, prediction.detection, labels, options.detection,
                                      drawnDetections);
    case ModelTask::Classify: {
        cv::Mat out = bgrCopy(image);
        if (options.classificationBanner)
            drawBanner(out, prediction.classification);
        return out;
    }
    }
    return bgrCopy(image); // a segmentation without a label map
}

void PredictionRenderer::hideClasses(OverlayOptions& options, const std::set<int>& hidden) {
    options.segmentation.hiddenClasses = hidden;
    options.detection.hiddenClasses = hidden;
}

} // namespace resnest
