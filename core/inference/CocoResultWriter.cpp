#include "core/inference/CocoResultWriter.h"

#include "core/io/AtomicFileWriter.h"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace resnest {

namespace {

using json = nlohmann::json;

// The double nearest to the shortest decimal that round-trips the float, so 12.3f is written as 12.3
// rather than 12.300000190734863 and no information is lost.
double shortestDouble(float v) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf - 1, v);
    *res.ptr = '\0';
    return std::strtod(buf, nullptr);
}

cv::Mat binaryMask(const cv::Mat& mask) {
    if (mask.channels() != 1)
        throw std::invalid_argument("COCO RLE: mask must have one channel");
    cv::Mat binary;
    cv::compare(mask, 0, binary, cv::CMP_NE); // 0/255 CV_8U for any depth
    return binary;
}

// Detections carry either a binary mask or Mask R-CNN's probabilities; torchvision's COCO evaluation
// thresholds the latter at > 0.5. COCO's masks cover the whole image: a box-local mask is placed into one.
cv::Mat detectionMask(const Detection& det, cv::Size imageSize) {
    const cv::Mat local = det.binaryMask();
    if (local.empty() || det.maskRect.empty())
        return local;
    cv::Mat whole = cv::Mat::zeros(imageSize, local.type());
    const cv::Rect area = det.maskArea() & cv::Rect(cv::Point(0, 0), imageSize);
    if (!area.empty())
        local(area - det.maskArea().tl()).copyTo(whole(area));
    return whole;
}

void appendDetections(json& out, const DetectionResult& result, std::int64_t imageId,
                      const DatasetLabels& labels, const CocoResultOptions& options) {
    for (const Detection& det : result.detections) {
        if (det.score < options.scoreThreshold)
            continue;
        int category = det.label;
        if (labels.isCoco()) {
            category = labels.cocoCategoryId(det.label);
            if (category < 0)
                continue; // background or an unused id: COCOeval would reject the whole file
        }
        json obj;
        obj["image_id"] = imageId;
        obj["category_id"] = category;
        const double x1 = shortestDouble(det.box[0]), y1 = shortestDouble(det.box[1]);
        obj["bbox"] = {x1, y1, shortestDouble(det.box[2] - det.box[0]),
                       shortestDouble(det.box[3] - det.box[1])};
        obj["score"] = shortestDouble(det.score);
        const cv::Mat mask = detectionMask(det, cv::Size(result.imageWidth, result.imageHeight));
        if (!mask.empty() && options.masks == CocoResultOptions::Masks::Rle) {
            const CocoRle rle = CocoResultWriter::encodeRle(mask);
            obj["segmentation"] = {{"size", {rle.height, rle.width}}, {"counts", rle.counts}};
        } else if (!mask.empty() && options.masks == CocoResultOptions::Masks::Polygons) {
            obj["segmentation"] = CocoResultWriter::polygons(mask);
        }
        out.push_back(std::move(obj));
    }
}

} // namespace

std::vector<std::uint32_t> CocoResultWriter::runLengths(const cv::Mat& mask) {
    if (mask.total() > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("COCO RLE: mask too large");
    if (mask.empty())
        return {0}; // pycocotools' encoding of a 0-pixel mask
    // COCO runs go down the columns; a transposed copy makes that one contiguous scan.
    cv::Mat columnMajor;
    cv::transpose(binaryMask(mask), columnMajor);
    std::vector<std::uint32_t> counts;
    uchar previous = 0;
    std::uint32_t run = 0;
    for (int r = 0; r < columnMajor.rows; ++r) {
        const uchar* p = columnMajor.ptr<uchar>(r);
        for (int c = 0; c < columnMajor.cols; ++c) {
            if (p[c] != previous) {
                counts.push_back(run);
                run = 0;
                previous = p[c];
            }
            ++run;
        }
    }
    counts.push_back(run);
    return counts;
}

std::string CocoResultWriter::compressCounts(const std::vector<std::uint32_t>& counts) {
    std::string text;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        // maskApi.c stores the difference to the run of the same colour before, from the fourth run on
        // (`i > 2`, not `i >= 2`: pycocotools' quirk, kept so the strings match byte for byte).
        std::int64_t x = counts[i];
        if (i > 2)
            x -= static_cast<std::int64_t>(counts[i - 2]);
        bool more = true;
        while (more) {
            // Five bits per character, low first; bit 0x20 says another character follows and bit 0x10 of
            // the last one is the sign. Floor division keeps the arithmetic shift portable.
            std::int64_t c = ((x % 32) + 32) % 32;
            x = (x - c) / 32;
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more)
                c |= 0x20;
            text += static_cast<char>(c + 48);
        }
    }
    return text;
}

std::vector<std::uint32_t> CocoResultWriter::decompressCounts(const std::string& text) {
    std::vector<std::uint32_t> counts;
    std::size_t p = 0;
    while (p < text.size()) {
        std::int64_t x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= text.size())
                throw std::invalid_argument("COCO RLE: counts string ends inside a number");
            const int c = static_cast<unsigned char>(text[p]) - 48;
            if (c < 0 || c > 63)
                throw std::invalid_argument("COCO RLE: invalid character in counts string");
            if (k > 11)
                throw std::invalid_argument("COCO RLE: number too long in counts string");
            x |= static_cast<std::int64_t>(c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            if (!more && (c & 0x10))
                x |= ~((std::int64_t{1} << (5 * k)) - 1); // sign-extend
        }
        if (counts.size() > 2)
            x += counts[counts.size() - 2];
        if (x < 0 || x > std::numeric_limits<std::uint32_t>::max())
            throw std::invalid_argument("COCO RLE: run length out of range");
        counts.push_back(static_cast<std::uint32_t>(x));
    }
    return counts;
}

CocoRle CocoResultWriter::encodeRle(const cv::Mat& mask) {
    CocoRle rle;
    rle.height = mask.rows;
    rle.width = mask.cols;
    rle.counts = compressCounts(runLengths(mask));
    return rle;
}

cv::Mat CocoResultWriter::decodeRle(const CocoRle& rle) {
    if (rle.height < 0 || rle.width < 0)
        throw std::invalid_argument("COCO RLE: negative size");
    const std::vector<std::uint32_t> counts = decompressCounts(rle.counts);
    const std::uint64_t total = std::uint64_t(rle.height) * std::uint64_t(rle.width);
    std::uint64_t sum = 0;
    for (std::uint32_t c : counts)
        sum += c;
    if (sum != total)
        throw std::invalid_argument("COCO RLE: runs cover " + std::to_string(sum) + " pixels, the size " +
                                    std::to_string(total));
    if (total == 0)
        return cv::Mat(rle.height, rle.width, CV_8U);
    cv::Mat columnMajor(rle.width, rle.height, CV_8U);
    uchar* data = columnMajor.ptr<uchar>(); // freshly allocated, hence continuous
    std::uint64_t pos = 0;
    uchar value = 0;
    for (std::uint32_t c : counts) {
        std::fill(data + pos, data + pos + c, value);
        pos += c;
        value ^= 1;
    }
    cv::Mat mask;
    cv::transpose(columnMajor, mask);
    return mask;
}

std::vector<std::vector<double>> CocoResultWriter::polygons(const cv::Mat& mask) {
    std::vector<std::vector<cv::Point>> contours;
    // Outer contours only: COCO polygons of one object are unioned, so a hole cannot be expressed anyway.
    cv::findContours(binaryMask(mask), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    std::vector<std::vector<double>> out;
    for (const auto& contour : contours) {
        if (contour.size() < 3)
            continue;
        std::vector<double> flat;
        flat.reserve(contour.size() * 2);
        // findContours gives pixel indices; COCO coordinates put a pixel's centre at +0.5.
        for (const cv::Point& p : contour) {
            flat.push_back(p.x + 0.5);
            flat.push_back(p.y + 0.5);
        }
        out.push_back(std::move(flat));
    }
    return out;
}

std::string CocoResultWriter::toJson(const DetectionResult& result, std::int64_t imageId,
                                     const DatasetLabels& labels, const CocoResultOptions& options) {
    return toJson(std::vector<CocoImageDetections>{{imageId, &result}}, labels, options);
}

std::string CocoResultWriter::toJson(const std::vector<CocoImageDetections>& images,
                                     const DatasetLabels& labels, const CocoResultOptions& options) {
    json out = json::array();
    for (const auto& image : images)
        if (image.result)
            appendDetections(out, *image.result, image.imageId, labels, options);
    return out.dump();
}

void CocoResultWriter::writeFile(const std::string& path, const std::vector<CocoImageDetections>& images,
                                 const DatasetLabels& labels, const CocoResultOptions& options) {
    io::AtomicFileWriter::writeFile(path, toJson(images, labels, options) + "\n");
}

} // namespace resnest
