#include "core/imaging/SegmentationOverlay.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest {

namespace {

cv::Mat asBgr(const cv::Mat& image) {
    if (image.empty())
        throw std::invalid_argument("segmentation overlay: empty image");
    if (image.type() == CV_8UC3)
        return image;
    if (image.type() == CV_8UC1) {
        cv::Mat bgr;
        cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
        return bgr;
    }
    throw std::invalid_argument("segmentation overlay: image must be CV_8UC3 (BGR) or CV_8UC1");
}

cv::Mat asLabels32(const cv::Mat& labels) {
    if (labels.type() == CV_32S)
        return labels;
    if (labels.type() == CV_8U) {
        cv::Mat out;
        labels.convertTo(out, CV_32S);
        return out;
    }
    throw std::invalid_argument("segmentation overlay: labels must be CV_32S or CV_8U");
}

// One table entry per class: the class colour already multiplied by the opacity in 8.8 fixed point, so
// the per-pixel work is one multiply-add per channel and no branch on the class.
struct ClassEntry {
    std::uint16_t fill[3] = {0, 0, 0};
    cv::Vec3b line;
    bool visible = false;
};

} // namespace

cv::Mat SegmentationOverlay::classBorders(const cv::Mat& labelMap) {
    const cv::Mat labels = asLabels32(labelMap);
    cv::Mat border(labels.size(), CV_8U, cv::Scalar(0));
    const int w = labels.cols, h = labels.rows;
    if (w > 1) {
        cv::Mat diff;
        cv::compare(labels.colRange(1, w), labels.colRange(0, w - 1), diff, cv::CMP_NE);
        cv::Mat right = border.colRange(1, w), left = border.colRange(0, w - 1);
        cv::bitwise_or(right, diff, right);
        cv::bitwise_or(left, diff, left);
    }
    if (h > 1) {
        cv::Mat diff;
        cv::compare(labels.rowRange(1, h), labels.rowRange(0, h - 1), diff, cv::CMP_NE);
        cv::Mat below = border.rowRange(1, h), above = border.rowRange(0, h - 1);
        cv::bitwise_or(below, diff, below);
        cv::bitwise_or(above, diff, above);
    }
    return border;
}

cv::Mat SegmentationOverlay::colorize(const cv::Mat& labelMap, const std::vector<cv::Vec3b>& palette) {
    const cv::Mat labels = asLabels32(labelMap);
    cv::Mat out(labels.size(), CV_8UC3, cv::Scalar::all(0));
    const auto n = static_cast<unsigned>(palette.size());
    for (int y = 0; y < labels.rows; ++y) {
        const int* lab = labels.ptr<int>(y);
        auto* dst = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < labels.cols; ++x)
            if (static_cast<unsigned>(lab[x]) < n)
                dst[x] = palette[lab[x]];
    }
    return out;
}

cv::Mat SegmentationOverlay::draw(const cv::Mat& imageIn, const cv::Mat& labelMap,
                                  const std::vector<cv::Vec3b>& palette,
                                  const SegmentationOverlayOptions& options) {
    const cv::Mat image = asBgr(imageIn);
    const cv::Mat labels = asLabels32(labelMap);
    if (labels.size() != image.size())
        throw std::invalid_argument("segmentation overlay: label map and image sizes differ");

    const int alpha = static_cast<int>(std::lround(std::clamp(options.opacity, 0.0, 1.0) * 256.0));
    std::vector<ClassEntry> table(palette.size());
    for (std::size_t i = 0; i < palette.size(); ++i) {
        ClassEntry& e = table[i];
        e.visible = options.hiddenClasses.count(static_cast<int>(i)) == 0;
        for (int c = 0; c < 3; ++c)
            e.fill[c] = static_cast<std::uint16_t>(palette[i][c] * alpha + 128);
        e.line = options.outlineInClassColor ? palette[i] : options.outlineColor;
    }

    cv::Mat border;
    if (options.outline) {
        border = classBorders(labels);
        if (options.outlineThickness > 1) {
            const int k = 2 * options.outlineThickness - 1;
            cv::dilate(border, border, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
        }
    }

    cv::Mat out(image.size(), CV_8UC3);
    const auto n = static_cast<unsigned>(table.size());
    const int keep = 256 - alpha;
    // Rows are independent; OpenCV's pool splits them (the GUI redraws on every slider move).
    cv::parallel_for_(cv::Range(0, image.rows), [&](const cv::Range& rows) {
        for (int y = rows.start; y < rows.end; ++y) {
            const int* lab = labels.ptr<int>(y);
            const uchar* src = image.ptr<uchar>(y);
            uchar* dst = out.ptr<uchar>(y);
            const uchar* edge = border.empty() ? nullptr : border.ptr<uchar>(y);
            for (int x = 0; x < image.cols; ++x, src += 3, dst += 3) {
                const unsigned l = static_cast<unsigned>(lab[x]);
                if (l >= n || !table[l].visible) {
                    dst[0] = src[0], dst[1] = src[1], dst[2] = src[2];
                    continue;
                }
                const ClassEntry& e = table[l];
                if (edge && edge[x]) {
                    dst[0] = e.line[0], dst[1] = e.line[1], dst[2] = e.line[2];
                    continue;
                }
                dst[0] = static_cast<uchar>((src[0] * keep + e.fill[0]) >> 8);
                dst[1] = static_cast<uchar>((src[1] * keep + e.fill[1]) >> 8);
                dst[2] = static_cast<uchar>((src[2] * keep + e.fill[2]) >> 8);
            }
        }
    });
    return out;
}

cv::Mat SegmentationOverlay::draw(const cv::Mat& image, const SegmentationResult& result,
                                  const DatasetLabels& labels, const SegmentationOverlayOptions& options) {
    return draw(image, result.labels, labels.palette(), options);
}

std::vector<LegendEntry> SegmentationOverlay::legend(const cv::Mat& labelMap, const DatasetLabels& labels) {
    const cv::Mat map = asLabels32(labelMap);
    const auto n = static_cast<unsigned>(labels.size());
    std::vector<std::int64_t> counts(n, 0);
    for (int y = 0; y < map.rows; ++y) {
        const int* lab = map.ptr<int>(y);
        for (int x = 0; x < map.cols; ++x)
            if (static_cast<unsigned>(lab[x]) < n)
                ++counts[lab[x]];
    }
    const double total = static_cast<double>(map.total());
    std::vector<LegendEntry> entries;
    for (unsigned i = 0; i < n; ++i) {
        if (counts[i] == 0)
            continue;
        LegendEntry e;
        e.index = static_cast<int>(i);
        e.name = labels.name(e.index);
        e.color = labels.color(e.index);
        e.pixels = counts[i];
        e.fraction = static_cast<double>(counts[i]) / total;
        entries.push_back(std::move(e));
    }
    std::sort(entries.begin(), entries.end(), [](const LegendEntry& a, const LegendEntry& b) {
        return a.pixels != b.pixels ? a.pixels > b.pixels : a.index < b.index;
    });
    return entries;
}

} // namespace resnest
