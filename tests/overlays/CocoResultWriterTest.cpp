#include "core/inference/CocoResultWriter.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

using namespace resnest;
using json = nlohmann::json;

namespace {

cv::Mat maskFromRows(const std::vector<std::vector<int>>& rows) {
    cv::Mat m(static_cast<int>(rows.size()), static_cast<int>(rows[0].size()), CV_8U);
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x)
            m.at<uchar>(y, x) = static_cast<uchar>(rows[y][x]);
    return m;
}

cv::Mat column(const std::vector<int>& values) {
    std::vector<std::vector<int>> rows;
    for (int v : values)
        rows.push_back({v});
    return maskFromRows(rows);
}

} // namespace

// Expected strings worked out by hand from maskApi.c's rleEncode / rleToString.
TEST(CocoRleTest, HandCheckedEncodings) {
    // 3x3 zeros: one run of 9 zeros -> '0' + 9.
    EXPECT_EQ(CocoResultWriter::encodeRle(cv::Mat::zeros(3, 3, CV_8U)).counts, "9");
    // 2x2 ones: an empty zero run first, then 4.
    EXPECT_EQ(CocoResultWriter::encodeRle(cv::Mat::ones(2, 2, CV_8U)).counts, "04");
    // Column-major: columns (0,0) (1,1) (1,0) -> runs 2, 3, 1.
    const cv::Mat m = maskFromRows({{0, 1, 1}, {0, 1, 0}});
    EXPECT_EQ(CocoResultWriter::runLengths(m), (std::vector<std::uint32_t>{2, 3, 1}));
    const CocoRle rle = CocoResultWriter::encodeRle(m);
    EXPECT_EQ(rle.counts, "231");
    EXPECT_EQ(rle.height, 2);
    EXPECT_EQ(rle.width, 3);
    // Runs 1 1 1 1 1: from the fourth on, the difference to the run two back (0) is stored.
    EXPECT_EQ(CocoResultWriter::encodeRle(column({0, 1, 0, 1, 0})).counts, "11100");
    // Runs 0 3 1 1: the fourth is 1 - 3 = -2 -> 5-bit two's complement 30 with the sign bit, 'N'.
    EXPECT_EQ(CocoResultWriter::encodeRle(column({1, 1, 1, 0, 1})).counts, "031N");
    // 16 needs a continuation: 16 has bit 0x10 set, which would read as a sign -> '`' (48+48) then '0'.
    EXPECT_EQ(CocoResultWriter::encodeRle(cv::Mat::zeros(4, 4, CV_8U)).counts, "`0");
    // 100 = 3 * 32 + 4 -> 'T' (4 | 0x20) then '3'.
    EXPECT_EQ(CocoResultWriter::encodeRle(cv::Mat::zeros(10, 10, CV_8U)).counts, "T3");
    // Runs 0 40 1 1: 40 -> 'X' '1'; the fourth is 1 - 40 = -39 -> 'i' 'N'.
    std::vector<int> v(40, 1);
    v.push_back(0);
    v.push_back(1);
    EXPECT_EQ(CocoResultWriter::encodeRle(column(v)).counts, "0X11iN");
    EXPECT_EQ(CocoResultWriter::decompressCounts("0X11iN"), (std::vector<std::uint32_t>{0, 40, 1, 1}));
    // 0/255 masks and float masks encode the same as 0/1.
    cv::Mat f;
    m.convertTo(f, CV_32F, 0.7);
    EXPECT_EQ(CocoResultWriter::encodeRle(f).counts, "231");
    EXPECT_EQ(CocoResultWriter::encodeRle(m * 255).counts, "231");
}

TEST(CocoRleTest, RoundTripsRandomMasks) {
    std::mt19937 rng(7);
    const std::vector<cv::Size> sizes = {{1, 1}, {13, 7}, {64, 48}, {1, 100}, {100, 1}, {257, 129}};
    for (const auto& size : sizes)
        for (double density : {0.0, 0.05, 0.5, 0.97, 1.0}) {
            cv::Mat mask(size, CV_8U);
            std::bernoulli_distribution bit(density);
            for (int y = 0; y < mask.rows; ++y)
                for (int x = 0; x < mask.cols; ++x)
                    mask.at<uchar>(y, x) = bit(rng);
            // Some blobs too, for long runs and large deltas.
            if (density == 0.05)
                cv::circle(mask, {size.width / 2, size.height / 2}, std::max(size.width, size.height) / 3, 1,
                           cv::FILLED);
            const auto counts = CocoResultWriter::runLengths(mask);
            std::uint64_t sum = 0;
            for (auto c : counts)
                sum += c;
            ASSERT_EQ(sum, mask.total());
            EXPECT_EQ(CocoResultWriter::decompressCounts(CocoResultWriter::compressCounts(counts)), counts);
            const CocoRle rle = CocoResultWriter::encodeRle(mask);
            const cv::Mat back = CocoResultWriter::decodeRle(rle);
            ASSERT_EQ(back.size(), mask.size());
            EXPECT_EQ(cv::norm(back, mask, cv::NORM_INF), 0.0) << size << " density " << density;
        }
}

TEST(CocoRleTest, MalformedCountsAreRejected) {
    EXPECT_THROW(CocoResultWriter::decodeRle({3, 3, "8"}), std::invalid_argument);   // covers 8 of 9
    EXPECT_THROW(CocoResultWriter::decodeRle({3, 3, "9 "}), std::invalid_argument);  // bad character
    EXPECT_THROW(CocoResultWriter::decodeRle({3, 3, "T"}), std::invalid_argument);   // ends mid-number
    EXPECT_THROW(CocoResultWriter::decodeRle({3, 3, "12N"}), std::invalid_argument); // would be negative
    EXPECT_EQ(CocoResultWriter::decodeRle({0, 0, "0"}).total(), 0u);
}

TEST(CocoRleTest, PolygonsOfOuterContours) {
    cv::Mat mask = cv::Mat::zeros(30, 30, CV_8U);
    mask(cv::Rect(10, 5, 10, 10)).setTo(1);
    mask.at<uchar>(25, 25) = 1;           // one point: dropped
    mask(cv::Rect(2, 27, 6, 1)).setTo(1); // a line: two points, dropped
    const auto polys = CocoResultWriter::polygons(mask);
    ASSERT_EQ(polys.size(), 1u);
    ASSERT_EQ(polys[0].size(), 8u); // four corners
    double minX = 1e9, maxX = -1e9, minY = 1e9, maxY = -1e9;
    for (std::size_t i = 0; i < polys[0].size(); i += 2) {
        minX = std::min(minX, polys[0][i]), maxX = std::max(maxX, polys[0][i]);
        minY = std::min(minY, polys[0][i + 1]), maxY = std::max(maxY, polys[0][i + 1]);
    }
    EXPECT_EQ(minX, 10.5);
    EXPECT_EQ(maxX, 19.5);
    EXPECT_EQ(minY, 5.5);
    EXPECT_EQ(maxY, 14.5);
}

namespace {

DetectionResult sampleResult() {
    DetectionResult r;
    r.imageWidth = 8;
    r.imageHeight = 6;
    Detection stop;
    stop.box = {1.5f, 2.0f, 5.25f, 6.0f};
    stop.score = 0.9f;
    stop.label = 13; // torchvision: stop sign (COCO id 13)
    stop.mask = cv::Mat::zeros(6, 8, CV_8U);
    stop.mask(cv::Rect(2, 2, 3, 3)).setTo(255);
    Detection unused;
    unused.box = {0, 0, 1, 1};
    unused.score = 0.8f;
    unused.label = 12; // "N/A": no COCO category
    Detection person;
    person.box = {0.1f, 0.2f, 3.3f, 4.4f};
    person.score = 0.3f;
    person.label = 1;
    r.detections = {stop, unused, person};
    return r;
}

} // namespace

TEST(CocoResultWriterTest, TorchvisionCocoUsesRealCategoryIds) {
    const DetectionResult r = sampleResult();
    const json j = json::parse(CocoResultWriter::toJson(r, 42, DatasetLabels::forDataset("coco")));
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 2u); // the N/A detection is left out
    EXPECT_EQ(j[0]["image_id"], 42);
    EXPECT_EQ(j[0]["category_id"], 13);
    EXPECT_EQ(j[0]["bbox"], json({1.5, 2.0, 3.75, 4.0}));
    EXPECT_EQ(j[0]["score"].get<double>(), 0.9); // shortest decimal of 0.9f, not 0.8999999761581421
    EXPECT_EQ(j[0]["segmentation"]["size"], json({6, 8}));
    const CocoRle rle{6, 8, j[0]["segmentation"]["counts"].get<std::string>()};
    EXPECT_EQ(cv::norm(CocoResultWriter::decodeRle(rle) * 255, r.detections[0].mask, cv::NORM_INF), 0.0);
    EXPECT_EQ(j[1]["category_id"], 1);
    EXPECT_FALSE(j[1].contains("segmentation")); // no mask
    EXPECT_NEAR(j[1]["bbox"][2].get<double>(), 3.2, 1e-6);

    CocoResultOptions options;
    options.scoreThreshold = 0.5f;
    options.masks = CocoResultOptions::Masks::Polygons;
    const json p = json::parse(CocoResultWriter::toJson(r, 42, DatasetLabels::forDataset("coco"), options));
    ASSERT_EQ(p.size(), 1u);
    ASSERT_TRUE(p[0]["segmentation"].is_array());
    EXPECT_EQ(p[0]["segmentation"][0], json({2.5, 2.5, 2.5, 4.5, 4.5, 4.5, 4.5, 2.5}));
}

TEST(CocoResultWriterTest, OtherLabelSets) {
    DetectionResult r = sampleResult();
    // mmdetection layout: background + 80, so index 12 is "stop sign" (COCO 13).
    r.detections[0].label = 12;
    r.detections[1].label = 0; // background: never a category
    const json mm = json::parse(CocoResultWriter::toJson(r, 1, DatasetLabels::guess(81, "coco")));
    ASSERT_EQ(mm.size(), 2u);
    EXPECT_EQ(mm[0]["category_id"], 13);
    EXPECT_EQ(mm[1]["category_id"], 1);
    // Not COCO: the label index itself.
    const json voc = json::parse(CocoResultWriter::toJson(r, 1, DatasetLabels::forDataset("voc")));
    ASSERT_EQ(voc.size(), 3u);
    EXPECT_EQ(voc[0]["category_id"], 12);
    EXPECT_EQ(voc[1]["category_id"], 0);

    CocoResultOptions none;
    none.masks = CocoResultOptions::Masks::None;
    EXPECT_FALSE(
        json::parse(CocoResultWriter::toJson(r, 1, DatasetLabels::forDataset("voc"), none))[0].contains(
            "segmentation"));
}

TEST(CocoResultWriterTest, WritesSeveralImagesToAFile) {
    const DetectionResult a = sampleResult();
    DetectionResult b = sampleResult();
    b.detections.resize(1);
    b.detections[0].mask.release();
    b.detections[0].maskProbability = cv::Mat(6, 8, CV_32F, cv::Scalar(0.25f));
    b.detections[0].maskProbability(cv::Rect(0, 0, 2, 6)).setTo(0.75f);
    const auto path = (std::filesystem::temp_directory_path() / "resnest_overlays_results.json").string();
    CocoResultWriter::writeFile(path, {{7, &a}, {8, &b}}, DatasetLabels::forDataset("coco"));
    std::ifstream in(path);
    const json j = json::parse(in);
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[2]["image_id"], 8);
    // Two full columns of 6 -> runs 0, 12, 36.
    EXPECT_EQ(j[2]["segmentation"]["counts"], CocoResultWriter::compressCounts({0, 12, 36}));
    std::filesystem::remove(path);
}

// A box-local mask (Mask R-CNN's maskRect) is written as COCO's whole-image mask.
TEST(CocoResultWriterTest, BoxLocalMasksAreWrittenForTheWholeImage) {
    const DetectionResult whole = sampleResult();
    DetectionResult local = whole;
    local.detections[0].maskRect = cv::Rect(1, 1, 5, 4);
    local.detections[0].mask = whole.detections[0].mask(cv::Rect(1, 1, 5, 4)).clone();
    const auto labels = DatasetLabels::forDataset("coco");
    EXPECT_EQ(CocoResultWriter::toJson(local, 42, labels), CocoResultWriter::toJson(whole, 42, labels));
    local.detections[0].mask.setTo(0);
    EXPECT_NE(CocoResultWriter::toJson(local, 42, labels), CocoResultWriter::toJson(whole, 42, labels));
}
