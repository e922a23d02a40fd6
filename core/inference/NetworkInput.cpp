#include "core/inference/NetworkInput.h"

#include "core/imaging/ImagePreprocessor.h"
#include "core/pipeline/DetectionModel.h"
#include "core/pipeline/SegmentationModel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>

namespace resnest {

cv::Size NetworkInput::scaledSize(const cv::Size& image, int shortSide, int longSide) {
    if (image.empty() || (shortSide <= 0 && longSide <= 0))
        return image;
    double s = std::numeric_limits<double>::infinity();
    if (shortSide > 0)
        s = std::min(s, double(shortSide) / std::min(image.width, image.height));
    if (longSide > 0)
        s = std::min(s, double(longSide) / std::max(image.width, image.height));
    return {std::max(1, int(std::lround(image.width * s))), std::max(1, int(std::lround(image.height * s)))};
}

NetworkInput NetworkInput::fromImage(TaskModel& model, const cv::Mat& bgr, int shortSide) {
    NetworkInput in;
    in.imageSize = bgr.size();
    switch (model.task()) {
    case ModelTask::Classify: {
        PreparedInput p = ImagePreprocessor(model.body().config().eval).prepare(bgr);
        in.tensor = std::move(p.tensor);
        in.geometry = p.geometry;
        break;
    }
    case ModelTask::Segment: {
        const SegmenterConfig& c = model.as<SegmentationModel>().config();
        const cv::Size size = shortSide < 0 ? scaledSize(bgr.size(), c.inputShortSide, c.inputLongSide)
                                            : scaledSize(bgr.size(), shortSide, 0);
        cv::Mat image = bgr;
        if (size != bgr.size())
            cv::resize(bgr, image, size, 0, 0,
                       size.area() < bgr.size().area() ? cv::INTER_AREA : cv::INTER_LINEAR);
        in.tensor = ImagePreprocessor::normalizedTensor(image, c.pixelScale, c.bgr, c.mean, c.std);
        break;
    }
    case ModelTask::Detect: {
        // A photo many times larger than the transform's target is first reduced in 8 bits, by area, to twice
        // that target: its float copy at full size would take 12 bytes a pixel (2.4 GB at 200 MP) only to be
        // shrunk. Boxes and masks are mapped back to the full image afterwards.
        const DetectorConfig& c = model.as<DetectionModel>().config();
        const cv::Mat image =
            ImagePreprocessor::reducedFor(bgr, std::min(double(c.minSize) / std::min(bgr.rows, bgr.cols),
                                                        double(c.maxSize) / std::max(bgr.rows, bgr.cols)));
        in.imageSize = image.size();
        in.tensor = ImagePreprocessor::toRgbTensor(image);
        break;
    }
    }
    return in;
}

} // namespace resnest
