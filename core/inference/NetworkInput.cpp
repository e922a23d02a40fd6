#include "core/inference/NetworkInput.h"

#include "core/imaging/ImagePreprocessor.h"
#include "core/pipeline/DetectionModel.h"
#include "core/pipeline/SegmentationModel.h"

#include <opencv2/imgproc.hpp>

namespace resnest {

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
        if (shortSide < 0)
            shortSide = c.inputShortSide;
        cv::Mat image = bgr;
        if (shortSide > 0 && std::min(bgr.rows, bgr.cols) != shortSide) {
            const double s = double(shortSide) / std::min(bgr.rows, bgr.cols);
            cv::resize(bgr, image,
                       cv::Size(std::max(1, int(std::lround(bgr.cols * s))),
                                std::max(1, int(std::lround(bgr.rows * s)))),
                       0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
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
