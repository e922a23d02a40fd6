#include "core/imaging/PredictionRenderer.h"

#include "core/attention/AttentionStatistics.h"
#include "core/imaging/HeatmapRenderer.h"
#include "core/imaging/RadixMapProjector.h"

#include <algorithm>
#include <cmath>
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

// The block's maps the options refer to: its radix maps, one cardinal group's, or the class-conditioned ones.
std::vector<cv::Mat> mapSet(const AttentionBlock& block, const AttentionMapOptions& options) {
    if (options.kind == AttentionMapKind::ClassConditioned) {
        std::vector<cv::Mat> positive;
        for (const cv::Mat& m : block.classMaps)
            positive.push_back(cv::max(m, 0.0)); // Grad-CAM's convention: where the radix raises the score
        return positive;
    }
    const size_t r = block.radixMaps.size();
    if (options.group >= 0 && !block.groupMaps.empty() &&
        (size_t(options.group) + 1) * r <= block.groupMaps.size())
        return std::vector<cv::Mat>(block.groupMaps.begin() + std::ptrdiff_t(size_t(options.group) * r),
                                    block.groupMaps.begin() +
                                        std::ptrdiff_t((size_t(options.group) + 1) * r));
    return block.radixMaps;
}

} // namespace

bool PredictionRenderer::selectMap(const AttentionBlock& block, const AttentionMapOptions& options,
                                   cv::Mat& map, std::pair<double, double>& range) {
    const std::vector<cv::Mat> maps = mapSet(block, options);
    if (maps.empty())
        return false;
    const int r = std::clamp(options.radix, 0, int(maps.size()) - 1);
    switch (options.kind) {
    case AttentionMapKind::Radix:
    case AttentionMapKind::ClassConditioned: {
        map = maps[size_t(r)];
        const std::vector<cv::Mat> own{map};
        range = AttentionStatistics::sharedRange(options.perMapScale ? own : maps);
        return true;
    }
    case AttentionMapKind::Difference: {
        if (maps.size() < 2)
            return false;
        cv::Mat others = cv::Mat::zeros(maps[0].size(), CV_32F);
        for (size_t k = 0; k < maps.size(); ++k)
            if (int(k) != r)
                others += maps[k];
        map = maps[size_t(r)] - others / double(maps.size() - 1);
        double lo = 0, hi = 0;
        cv::minMaxLoc(map, &lo, &hi);
        const double m = std::max({std::abs(lo), std::abs(hi), 1e-12});
        range = {-m, m};
        return true;
    }
    case AttentionMapKind::Dominant:
        if (maps.size() < 2)
            return false;
        AttentionStatistics::dominantRadix(maps).convertTo(map, CV_32F);
        range = {0.0, double(maps.size() - 1)};
        return true;
    }
    return false;
}

const AttentionBlock& PredictionRenderer::chosenBlock(const std::vector<AttentionBlock>& blocks,
                                                      const std::string& name) {
    for (const AttentionBlock& b : blocks)
        if (b.name == name)
            return b;
    return blocks.back();
}

cv::Mat PredictionRenderer::radixMapOnImage(const Prediction& prediction, cv::Size imageSize,
                                            const AttentionMapOptions& options,
                                            std::pair<double, double>* range) {
    const std::vector<AttentionBlock>& blocks = prediction.blocks;
    if (blocks.empty() ||
        (prediction.task == ModelTask::Detect && prediction.detection.geometry.input.empty()))
        return {};
    const AttentionBlock* block = &chosenBlock(blocks, options.block);
    cv::Mat feature;
    std::pair<double, double> shown;
    if (!selectMap(*block, options, feature, shown))
        return {};
    if (range)
        *range = shown;
    if (prediction.task == ModelTask::Classify)
        return RadixMapProjector::toImage(feature, block->stride, prediction.classification.geometry);
    if (prediction.task == ModelTask::Detect)
        return RadixMapProjector::toImage(feature, block->stride, prediction.detection.geometry);
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
                                 std::vector<int>* drawnDetections, DrawnMap* drawnMap) {
    cv::Mat out = drawPrediction(image, prediction, labels, options, drawnDetections);
    if (drawnMap)
        *drawnMap = DrawnMap{};
    if (options.attention.show) {
        std::pair<double, double> range;
        const cv::Mat map = radixMapOnImage(prediction, out.size(), options.attention, &range);
        if (!map.empty()) {
            const int colormap = HeatmapRenderer::colormapByName(options.attention.colormap);
            out = HeatmapRenderer::blend(out, map, range.first, range.second, options.attention.opacity,
                                         colormap);
            if (drawnMap) {
                drawnMap->drawn = true;
                drawnMap->lo = range.first;
                drawnMap->hi = range.second;
                if (options.attention.kind == AttentionMapKind::Dominant)
                    drawnMap->radices = int(std::lround(range.second)) + 1;
            }
            if (options.attention.colourBar)
                HeatmapRenderer::drawColourBar(out, range.first, range.second, colormap);
        }
    }
    return out;
}

std::vector<cv::Mat> PredictionRenderer::radixMultiples(const cv::Mat& image, const Prediction& prediction,
                                                        const AttentionMapOptions& options, int longSide,
                                                        std::vector<std::pair<double, double>>* ranges) {
    std::vector<cv::Mat> out;
    if (ranges)
        ranges->clear();
    const std::vector<AttentionBlock>& blocks = prediction.blocks;
    if (blocks.empty() || image.empty() || longSide < 8)
        return out;
    const AttentionBlock* block = &chosenBlock(blocks, options.block);
    const double s = double(longSide) / std::max(image.cols, image.rows);
    cv::Mat small;
    cv::resize(bgrCopy(image), small,
               cv::Size(std::max(1, int(std::lround(image.cols * s))),
                        std::max(1, int(std::lround(image.rows * s)))),
               0, 0, cv::INTER_AREA);
    const int colormap = HeatmapRenderer::colormapByName(options.colormap);
    AttentionMapOptions o = options;
    // Dominant radix is one map for the block, not one per radix: show the radix maps beside it.
    if (o.kind == AttentionMapKind::Dominant)
        o.kind = AttentionMapKind::Radix;
    for (int r = 0; r < block->radix; ++r) {
        o.radix = r;
        std::pair<double, double> range;
        const cv::Mat map = radixMapOnImage(prediction, image.size(), o, &range);
        if (map.empty()) {
            if (ranges)
                ranges->clear();
            return {};
        }
        if (ranges)
            ranges->push_back(range);
        cv::Mat m;
        cv::resize(map, m, small.size(), 0, 0, cv::INTER_AREA);
        out.push_back(HeatmapRenderer::blend(small, m, range.first, range.second,
                                             std::max(0.35, options.opacity), colormap));
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
