#include "core/api/DatasetLabels.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <tuple>

using namespace resnest;

namespace {

// Palettes are published as RGB; DatasetLabels hands out BGR.
cv::Vec3b rgb(int r, int g, int b) {
    return cv::Vec3b(uchar(b), uchar(g), uchar(r));
}

} // namespace

TEST(DatasetLabelsTest, TorchvisionCocoHas91EntriesWithPlaceholders) {
    const auto l = DatasetLabels::forDataset("coco");
    ASSERT_EQ(l.size(), 91);
    EXPECT_EQ(l.dataset(), "coco");
    EXPECT_EQ(l.names()[0], "__background__");
    EXPECT_EQ(l.names()[1], "person");
    EXPECT_EQ(l.names()[12], "N/A");
    EXPECT_EQ(l.names()[13], "stop sign");
    EXPECT_EQ(l.names()[90], "toothbrush");
    int placeholders = 0;
    for (const auto& n : l.names())
        placeholders += n == "N/A";
    EXPECT_EQ(placeholders, 10);
    // torchvision indexes by the COCO category id itself.
    EXPECT_EQ(l.cocoCategoryId(1), 1);
    EXPECT_EQ(l.cocoCategoryId(13), 13);
    EXPECT_EQ(l.cocoCategoryId(90), 90);
    EXPECT_EQ(l.cocoCategoryId(0), -1);
    EXPECT_EQ(l.cocoCategoryId(12), -1);
    EXPECT_EQ(l.cocoCategoryId(91), -1);
    EXPECT_EQ(l.palette().size(), 91u);
}

TEST(DatasetLabelsTest, Coco80HasContiguousNamesAndRealIds) {
    const auto l = DatasetLabels::forDataset("coco80");
    ASSERT_EQ(l.size(), 80);
    EXPECT_EQ(l.names()[0], "person");
    EXPECT_EQ(l.names()[11], "stop sign");
    EXPECT_EQ(l.names()[79], "toothbrush");
    EXPECT_EQ(l.cocoCategoryId(0), 1);
    EXPECT_EQ(l.cocoCategoryId(11), 13);
    EXPECT_EQ(l.cocoCategoryId(79), 90);
    // The same class has the same colour in both COCO layouts.
    const auto tv = DatasetLabels::forDataset("coco");
    EXPECT_EQ(l.color(11), tv.color(13));
    std::set<int> ids;
    for (int i = 0; i < 80; ++i)
        ids.insert(l.cocoCategoryId(i));
    EXPECT_EQ(ids.size(), 80u);
    EXPECT_EQ(*ids.begin(), 1);
    EXPECT_EQ(*ids.rbegin(), 90);
}

TEST(DatasetLabelsTest, VocHas21ClassesAndTheBitInterleavedColormap) {
    const auto l = DatasetLabels::forDataset("voc");
    ASSERT_EQ(l.size(), 21);
    EXPECT_EQ(l.names()[0], "background");
    EXPECT_EQ(l.names()[15], "person");
    EXPECT_EQ(l.names()[20], "tvmonitor");
    EXPECT_EQ(l.color(0), rgb(0, 0, 0));
    EXPECT_EQ(l.color(1), rgb(128, 0, 0));
    EXPECT_EQ(l.color(15), rgb(192, 128, 128));
    EXPECT_EQ(l.color(20), rgb(0, 64, 128));
    EXPECT_EQ(DatasetLabels::vocColor(255), rgb(224, 224, 192)); // the "void" colour of VOC's masks
}

TEST(DatasetLabelsTest, CityscapesTrainIds) {
    const auto l = DatasetLabels::forDataset("Cityscapes");
    ASSERT_EQ(l.size(), 19);
    EXPECT_EQ(l.names()[0], "road");
    EXPECT_EQ(l.names()[11], "person");
    EXPECT_EQ(l.names()[18], "bicycle");
    ASSERT_EQ(l.palette().size(), 19u);
    EXPECT_EQ(l.color(0), rgb(128, 64, 128));
    EXPECT_EQ(l.color(13), rgb(0, 0, 142));
    EXPECT_EQ(l.color(18), rgb(119, 11, 32));
    EXPECT_FALSE(l.isCoco());
    EXPECT_EQ(l.cocoCategoryId(0), -1);
}

TEST(DatasetLabelsTest, Ade20kSceneParsing150) {
    const auto l = DatasetLabels::forDataset("ade20k");
    ASSERT_EQ(l.size(), 150);
    EXPECT_EQ(l.names()[0], "wall");
    EXPECT_EQ(l.names()[2], "sky");
    EXPECT_EQ(l.names()[7], "bed"); // mmseg's list has a trailing space here
    EXPECT_EQ(l.names()[12], "person");
    EXPECT_EQ(l.names()[149], "flag");
    ASSERT_EQ(l.palette().size(), 150u);
    EXPECT_EQ(l.color(0), rgb(120, 120, 120));
    EXPECT_EQ(l.color(1), rgb(180, 120, 120));
    EXPECT_EQ(l.color(149), rgb(92, 0, 255));
}

TEST(DatasetLabelsTest, CocoStuff171) {
    const auto l = DatasetLabels::forDataset("coco_stuff");
    ASSERT_EQ(l.size(), 171);
    EXPECT_EQ(l.dataset(), "coco-stuff");
    EXPECT_EQ(l.names()[0], "person");
    EXPECT_EQ(l.names()[79], "toothbrush");
    EXPECT_EQ(l.names()[80], "banner");
    EXPECT_EQ(l.names()[170], "wood");
    ASSERT_EQ(l.palette().size(), 171u);
    EXPECT_EQ(l.color(2), rgb(0, 64, 96));
    EXPECT_EQ(l.color(170), rgb(64, 64, 0));
}

TEST(DatasetLabelsTest, ImageNet) {
    const auto l = DatasetLabels::forDataset("imagenet");
    ASSERT_EQ(l.size(), 1000);
    EXPECT_EQ(l.names()[0], "tench");
    EXPECT_EQ(l.palette().size(), 1000u);
}

TEST(DatasetLabelsTest, GuessByCountAndHint) {
    const std::vector<std::pair<int, std::string>> byCount = {
        {91, "coco"},    {80, "coco80"},      {21, "voc"},        {19, "cityscapes"},
        {150, "ade20k"}, {171, "coco-stuff"}, {1000, "imagenet"}, {7, "generic"}};
    for (const auto& [n, dataset] : byCount) {
        const auto l = DatasetLabels::guess(n);
        EXPECT_EQ(l.dataset(), dataset) << n;
        EXPECT_EQ(l.size(), n) << n;
    }
    const auto g = DatasetLabels::guess(7);
    EXPECT_EQ(g.names()[3], "class 3");
    EXPECT_EQ(g.palette().size(), 7u);

    // A converted mmdetection / detectron2 detector: background + 80.
    const auto mm = DatasetLabels::guess(81, "faster_rcnn_resnest50_fpn_coco");
    ASSERT_EQ(mm.size(), 81);
    EXPECT_EQ(mm.dataset(), "coco80");
    EXPECT_EQ(mm.names()[0], "__background__");
    EXPECT_EQ(mm.names()[1], "person");
    EXPECT_EQ(mm.cocoCategoryId(0), -1);
    EXPECT_EQ(mm.cocoCategoryId(12), 13);

    EXPECT_EQ(DatasetLabels::guess(150, "deeplabv3_resnest50_ade").dataset(), "ade20k");
    EXPECT_EQ(DatasetLabels::guess(19, "cityscapes").dataset(), "cityscapes");
    // The hint loses when its dataset has another class count.
    EXPECT_EQ(DatasetLabels::guess(21, "coco").dataset(), "voc");
    EXPECT_EQ(DatasetLabels::guess(12, "ade20k").dataset(), "generic");
}

TEST(DatasetLabelsTest, UnknownDatasetIsAnError) {
    try {
        DatasetLabels::forDataset("mnist");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("mnist"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("cityscapes"), std::string::npos);
    }
}

TEST(DatasetLabelsTest, UserFilesAndMissingFiles) {
    const auto dir = std::filesystem::temp_directory_path() / "resnest_overlays_labels";
    std::filesystem::create_directories(dir);
    const auto names = (dir / "names.txt").string(), palette = (dir / "palette.txt").string();
    std::ofstream(names) << "cat\ndog\n";
    std::ofstream(palette) << "# comment\n255 0 0\n0 255 0\n0 0 255\n";
    const auto l = DatasetLabels::fromFiles(names, palette);
    ASSERT_EQ(l.size(), 2);
    EXPECT_EQ(l.dataset(), "custom");
    EXPECT_EQ(l.names()[1], "dog");
    EXPECT_EQ(l.color(0), rgb(255, 0, 0));
    EXPECT_EQ(l.color(1), rgb(0, 255, 0));
    EXPECT_EQ(l.palette().size(), 2u);

    std::ofstream(palette) << "255 0\n";
    EXPECT_THROW(DatasetLabels::fromFiles(names, palette), std::runtime_error);
    const auto missing = (dir / "missing.txt").string();
    try {
        DatasetLabels::fromFiles(missing);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.txt"), std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

TEST(DatasetLabelsTest, ColoursAreDeterministicAndDistinct) {
    std::set<std::tuple<int, int, int>> seen;
    for (int i = 0; i < 256; ++i) {
        const cv::Vec3b c = DatasetLabels::generatedColor(i);
        EXPECT_EQ(c, DatasetLabels::generatedColor(i));
        seen.insert({c[0], c[1], c[2]});
    }
    EXPECT_EQ(seen.size(), 256u);
    // Out-of-palette indices still get a colour, names fall back to "class N".
    const auto voc = DatasetLabels::forDataset("voc");
    EXPECT_EQ(voc.color(300), DatasetLabels::generatedColor(300));
    EXPECT_EQ(voc.name(300), "class 300");
}
