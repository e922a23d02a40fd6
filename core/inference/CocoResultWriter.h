#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/DetectionResult.h"

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

// A mask in COCO's compressed run-length encoding, as pycocotools.mask.encode returns it.
struct CocoRle {
    int height = 0;
    int width = 0;
    std::string counts;
};

struct CocoResultOptions {
    enum class Masks { None, Rle, Polygons };
    Masks masks = Masks::Rle; // for detections that carry a mask
    float scoreThreshold = 0.0f;
};

struct CocoImageDetections {
    std::int64_t imageId = 0;
    const DetectionResult* result = nullptr;
};

// Detections in the COCO results format (the list that COCO.loadRes / COCOeval read): one object per
// detection with image_id, category_id, bbox [x, y, w, h], score and, for instance masks, segmentation.
// category_id is the real COCO id when `labels` is a COCO variant (detections whose class has no id, such
// as torchvision's "N/A" slots, are left out), else the label index. The RLE is bit-for-bit
// pycocotools': column-major runs starting with the run of zeros, then maskApi.c's rleToString text.
class CocoResultWriter {
public:
    static std::string toJson(const DetectionResult& result, std::int64_t imageId,
                              const DatasetLabels& labels, const CocoResultOptions& options = {});
    static std::string toJson(const std::vector<CocoImageDetections>& images, const DatasetLabels& labels,
                              const CocoResultOptions& options = {});
    // Written atomically (a reader never sees half a file).
    static void writeFile(const std::string& path, const std::vector<CocoImageDetections>& images,
                          const DatasetLabels& labels, const CocoResultOptions& options = {});

    // Non-zero pixels of a CV_8U / CV_8S / CV_32S / CV_32F single-channel mask are foreground.
    static CocoRle encodeRle(const cv::Mat& mask);
    // CV_8U 0/1 mask; throws std::invalid_argument when the counts are malformed or do not cover h*w.
    static cv::Mat decodeRle(const CocoRle& rle);

    // The uncompressed runs (pycocotools' rleEncode) and the text form of maskApi.c's rleToString /
    // rleFrString.
    static std::vector<std::uint32_t> runLengths(const cv::Mat& mask);
    static std::string compressCounts(const std::vector<std::uint32_t>& counts);
    static std::vector<std::uint32_t> decompressCounts(const std::string& text);

    // Outer contours as flattened [x1, y1, x2, y2, ...] lists in pixel-area coordinates (a pixel's centre
    // is at +0.5), polygons with fewer than three points dropped.
    static std::vector<std::vector<double>> polygons(const cv::Mat& mask);
};

} // namespace resnest
