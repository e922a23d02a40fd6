#include "core/attention/AttentionExport.h"

#include "core/io/NpyReader.h"
#include "core/io/ZipArchive.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

using namespace resnest;

namespace {

AttentionBlock block() {
    AttentionBlock b;
    b.name = "layer3.0";
    b.radix = 2;
    b.cardinality = 2;
    b.channels = 4;
    b.stride = 16;
    b.attention = {0.1f, 0.2f, 0.3f, 0.4f, 0.9f, 0.8f, 0.7f, 0.6f};
    for (int r = 0; r < 2; ++r) {
        cv::Mat m(2, 3, CV_32F);
        for (int i = 0; i < 6; ++i)
            m.at<float>(i / 3, i % 3) = float(10 * r + i);
        b.radixMaps.push_back(m);
    }
    for (int k = 0; k < 4; ++k)
        b.groupMaps.push_back(cv::Mat(2, 3, CV_32F, cv::Scalar(float(k))));
    b.gradient = {1, -1, 2, -2, 0.5f, 0.5f, 0, 0};
    b.support = {0.1f * 1 - 0.2f + 0.6f - 0.8f, 0.45f + 0.4f};
    b.classMaps = {cv::Mat(2, 3, CV_32F, cv::Scalar(-1.0f)), cv::Mat(2, 3, CV_32F, cv::Scalar(2.0f))};
    return b;
}

std::vector<std::uint8_t> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST(AttentionExportTest, NpzHoldsEveryCapturedTensorUnderTheCliNames) {
    const std::string path = (std::filesystem::temp_directory_path() / "attention-export-test.npz").string();
    AttentionExport::writeNpz(path, {block()});
    const auto bytes = slurp(path);
    io::ZipArchive zip(bytes.data(), bytes.size(), path);
    auto tensor = [&](const std::string& name) {
        const auto* e = zip.find(name + ".npy");
        EXPECT_NE(e, nullptr) << name;
        const auto data = zip.read(*e);
        return io::NpyReader::readBuffer(data.data(), data.size(), name);
    };
    const auto a = tensor("attention/layer3.0");
    EXPECT_EQ(a.sizes(), (std::vector<int64_t>{1, 2, 4}));
    EXPECT_FLOAT_EQ(a[0][1][0].item<float>(), 0.9f);
    const auto maps = tensor("radix_maps/layer3.0");
    EXPECT_EQ(maps.sizes(), (std::vector<int64_t>{1, 2, 2, 3}));
    EXPECT_FLOAT_EQ(maps[0][1][1][2].item<float>(), 15.0f);
    const auto groups = tensor("group_maps/layer3.0");
    EXPECT_EQ(groups.sizes(), (std::vector<int64_t>{1, 2, 2, 2, 3}));
    EXPECT_FLOAT_EQ(groups[0][1][0][0][0].item<float>(), 2.0f); // group 1, radix 0 = the third map
    EXPECT_EQ(tensor("attention_grad/layer3.0").sizes(), (std::vector<int64_t>{1, 2, 4}));
    EXPECT_EQ(tensor("radix_support/layer3.0").sizes(), (std::vector<int64_t>{1, 2}));
    EXPECT_FLOAT_EQ(tensor("class_maps/layer3.0")[0][0][0][0].item<float>(), -1.0f);
    std::remove(path.c_str());

    EXPECT_THROW(AttentionExport::writeNpz(path, {}), std::invalid_argument);
    AttentionBlock bad = block();
    bad.attention.pop_back();
    EXPECT_THROW(AttentionExport::writeNpz(path, {bad}), std::invalid_argument);
}

TEST(AttentionExportTest, CsvHasOneRowPerBlockWithMeansAndSupport) {
    AttentionBlock plain = block();
    plain.name = "layer4.0";
    plain.classMaps.clear();
    plain.support.clear();
    plain.gradient.clear();
    const std::string csv = AttentionExport::blockCsv({block(), plain});
    const std::string header =
        "block,radix,cardinality,channels,stride,entropy,max_weight,mean_r0,mean_r1,support_r0,support_r1\n";
    ASSERT_EQ(csv.substr(0, header.size()), header);
    EXPECT_NE(csv.find("\nlayer3.0,2,2,4,16,"), std::string::npos);
    EXPECT_NE(csv.find(",0.25,0.75,"), std::string::npos); // mean weights of radix 0 and 1
    EXPECT_NE(csv.find("\nlayer4.0,2,2,4,16,"), std::string::npos);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}
