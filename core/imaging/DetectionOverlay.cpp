#include "core/imaging/DetectionOverlay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest {

namespace {

cv::Scalar toScalar(const cv::Vec3b& c) {
    return {double(c[0]), double(c[1]), double(c[2])};
}

// One detection's binary mask in an image of `outSize` (the result's image being `imageSize`): its pixels and
// where they go, clipped to the image; an empty mask when the detection has none.
struct PlacedMask {
    cv::Mat mask;
    cv::Rect rect;
};

PlacedMask instanceMask(const Detection& det, cv::Size imageSize, cv::Size outSize) {
    cv::Mat mask = det.binaryMask();
    if (mask.empty())
        return {};
    cv::Rect area = det.maskArea();
    // A whole-image mask fills whatever size it has; a box-local one sits in the result's image.
    if (det.maskRect.empty() || imageSize.empty())
        imageSize = det.maskRect.empty() ? mask.size() : outSize;
    if (imageSize != outSize) {
        // A display copy of another size still gets the masks.
        const double fx = double(outSize.width) / imageSize.width,
                     fy = double(outSize.height) / imageSize.height;
        const int x0 = cvRound(area.x * fx), y0 = cvRound(area.y * fy);
        const int x1 = std::max(x0 + 1, cvRound((area.x + area.width) * fx));
        const int y1 = std::max(y0 + 1, cvRound((area.y + area.height) * fy));
        area = cv::Rect(x0, y0, x1 - x0, y1 - y0);
        cv::resize(mask, mask, area.size(), 0, 0, cv::INTER_NEAREST);
    }
    const cv::Rect clipped = area & cv::Rect(cv::Point(0, 0), outSize);
    if (clipped.empty())
        return {};
    return {mask(clipped - area.tl()), clipped};
}

void drawMask(cv::Mat& image, const PlacedMask& placed, const cv::Vec3b& color, double opacity, bool outline,
              int lineWidth) {
    const cv::Rect tight = cv::boundingRect(placed.mask);
    if (tight.empty())
        return;
    cv::Mat region = image(tight + placed.rect.tl());
    const cv::Mat regionMask = placed.mask(tight);
    cv::Mat tinted;
    cv::addWeighted(region, 1.0 - opacity, cv::Mat(region.size(), CV_8UC3, toScalar(color)), opacity, 0.0,
                    tinted);
    tinted.copyTo(region, regionMask);
    if (outline) {
        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(regionMask.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        cv::drawContours(region, contours, -1, toScalar(color), std::max(1, lineWidth / 2), cv::LINE_8);
    }
}

void drawLabel(cv::Mat& image, const std::string& text, cv::Point anchor, const cv::Vec3b& color,
               int lineWidth) {
    const int font = cv::FONT_HERSHEY_SIMPLEX;
    const double scale = std::max(0.4, lineWidth / 3.0);
    const int thickness = std::max(1, lineWidth - 1);
    int baseline = 0;
    const cv::Size size = cv::getTextSize(text, font, scale, thickness, &baseline);
    const int pad = std::max(1, lineWidth);
    const int boxHeight = size.height + baseline + pad;
    // Above the box when there is room, else just inside its top edge.
    int top = anchor.y - boxHeight;
    if (top < 0)
        top = std::max(0, anchor.y);
    int left = std::clamp(anchor.x, 0, std::max(0, image.cols - size.width - 2 * pad));
    const cv::Rect background(left, top, size.width + 2 * pad, boxHeight);
    cv::rectangle(image, background & cv::Rect(0, 0, image.cols, image.rows), toScalar(color), cv::FILLED);
    // Dark text on light colours, white on dark ones (Rec. 601 luma).
    const double luma = 0.114 * color[0] + 0.587 * color[1] + 0.299 * color[2];
    const cv::Scalar ink = luma > 140 ? cv::Scalar(0, 0, 0) : cv::Scalar(255, 255, 255);
    cv::putText(image, text, {left + pad, top + size.height + pad / 2}, font, scale, ink, thickness,
                cv::LINE_AA);
}

} // namespace

int DetectionOverlay::lineWidthFor(cv::Size imageSize) {
    const double meanSide = 0.5 * (imageSize.width + imageSize.height);
    return std::max(1, static_cast<int>(std::lround(meanSide * 0.003)));
}

std::vector<int> DetectionOverlay::visibleIndices(const DetectionResult& result,
                                                  const DetectionOverlayOptions& options) {
    std::vector<int> indices;
    for (int i = 0; i < static_cast<int>(result.detections.size()); ++i) {
        const Detection& det = result.detections[i];
        // The explained box is shown whatever its score: it is what the class-conditioned map is about.
        if ((det.score >= options.scoreThreshold && options.hiddenClasses.count(det.label) == 0) ||
            i == result.explainedDetection)
            indices.push_back(i);
    }
    return indices;
}

cv::Mat DetectionOverlay::draw(const cv::Mat& image, const DetectionResult& result,
                               const DatasetLabels& labels, const DetectionOverlayOptions& options,
                               std::vector<int>* drawn) {
    if (image.empty())
        throw std::invalid_argument("detection overlay: empty image");
    cv::Mat out;
    if (image.type() == CV_8UC3)
        out = image.clone();
    else if (image.type() == CV_8UC1)
        cv::cvtColor(image, out, cv::COLOR_GRAY2BGR);
    else
        throw std::invalid_argument("detection overlay: image must be CV_8UC3 (BGR) or CV_8UC1");

    const std::vector<int> visible = visibleIndices(result, options);
    if (drawn)
        *drawn = visible;
    const int lw = options.lineWidth > 0 ? options.lineWidth : lineWidthFor(out.size());
    const double opacity = std::clamp(options.maskOpacity, 0.0, 1.0);
    const cv::Rect frame(0, 0, out.cols, out.rows);

    // Masks under all boxes and labels, so no tint covers another detection's text.
    if (options.drawMasks)
        for (auto it = visible.rbegin(); it != visible.rend(); ++it) {
            const Detection& det = result.detections[*it];
            const PlacedMask placed =
                instanceMask(det, cv::Size(result.imageWidth, result.imageHeight), out.size());
            if (!placed.mask.empty())
                drawMask(out, placed, labels.color(det.label), opacity, options.maskOutline, lw);
        }

    for (auto it = visible.rbegin(); it != visible.rend(); ++it) {
        const Detection& det = result.detections[*it];
        const cv::Vec3b color = labels.color(det.label);
        const cv::Point p1(static_cast<int>(std::lround(det.box[0])),
                           static_cast<int>(std::lround(det.box[1])));
        const cv::Point p2(static_cast<int>(std::lround(det.box[2])),
                           static_cast<int>(std::lround(det.box[3])));
        if (options.drawBoxes && *it == result.explainedDetection) {
            // A white halo and a double line: the explained box stands out from its neighbours of the same
            // class colour.
            cv::rectangle(out, p1, p2, cv::Scalar(255, 255, 255), 4 * lw, cv::LINE_8);
            cv::rectangle(out, p1, p2, toScalar(color), 2 * lw, cv::LINE_8);
        } else if (options.drawBoxes) {
            cv::rectangle(out, p1, p2, toScalar(color), lw, cv::LINE_8);
        }
        if (options.drawLabels) {
            std::string text = det.label >= 0 && det.label < static_cast<int>(result.classNames.size())
                                   ? result.classNames[det.label]
                                   : labels.name(det.label);
            if (options.drawScores) {
                char score[16];
                std::snprintf(score, sizeof score, " %.2f", det.score);
                text += score;
            }
            const cv::Point anchor(std::clamp(p1.x, 0, std::max(0, frame.width - 1)),
                                   std::clamp(p1.y, 0, std::max(0, frame.height - 1)));
            drawLabel(out, text, anchor, color, lw);
        }
    }
    return out;
}

} // namespace resnest
