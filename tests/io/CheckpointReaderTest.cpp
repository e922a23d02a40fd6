#include "core/io/CheckpointReader.h"

#include "core/io/CheckpointError.h"
#include "core/io/DType.h"
#include "core/io/NpyReader.h"
#include "core/io/ZipArchive.h"
#include "tests/io/IoTestSupport.h"

#include <algorithm>
#include <gtest/gtest.h>

namespace resnest::io {
namespace {

using test::fixture;

class FixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTest, MatchesWhatTorchSaved) {
    const nlohmann::json* expected = test::manifestCase(GetParam());
    ASSERT_NE(expected, nullptr) << "not in manifest: " << GetParam();
    const Checkpoint checkpoint = CheckpointReader::read(fixture(GetParam()));

    EXPECT_EQ(toString(checkpoint.format), (*expected)["format"]);
    EXPECT_EQ(checkpoint.container, (*expected)["container"]);
    std::vector<std::string> ignored = checkpoint.ignored;
    std::sort(ignored.begin(), ignored.end());
    EXPECT_EQ(ignored, (*expected)["ignored"].get<std::vector<std::string>>());

    ASSERT_EQ(checkpoint.tensors.size(), (*expected)["tensors"].size());
    for (const auto& [key, info] : (*expected)["tensors"].items()) {
        SCOPED_TRACE(key);
        ASSERT_EQ(checkpoint.tensors.count(key), 1u);
        const torch::Tensor& actual = checkpoint.tensors.at(key);
        EXPECT_EQ(DType::fromScalarType(actual.scalar_type())->safetensors, info["dtype"].get<std::string>());
        EXPECT_EQ(actual.sizes().vec(), info["shape"].get<std::vector<std::int64_t>>());
        EXPECT_TRUE(actual.is_contiguous());
        EXPECT_TRUE(actual.device().is_cpu());
        const torch::Tensor reference = NpyReader::read(fixture(info["expected"]));
        EXPECT_TRUE(torch::equal(actual.to(reference.scalar_type()), reference)) << actual << "\nvs\n"
                                                                                 << reference;
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest,
                         ::testing::Values("plain_zip.pt", "plain_legacy.pt", "nested_zip.pt",
                                           "nested_legacy.pt", "deep_zip.pt", "deep_legacy.pt", "ema_zip.pt",
                                           "views_zip.pt", "views_legacy.pt", "dtypes_zip.pt",
                                           "dtypes_legacy.pt", "plain.safetensors"),
                         [](const auto& info) {
                             std::string name = info.param;
                             std::replace_if(
                                 name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                             return name;
                         });

TEST(CheckpointReader, RefusesNonCheckpointsWithAClearMessage) {
    for (const auto& error : test::manifest()["errors"]) {
        const std::string file = error["file"];
        try {
            CheckpointReader::read(fixture(file));
            ADD_FAILURE() << file << " was accepted";
        } catch (const CheckpointError& e) {
            EXPECT_NE(std::string(e.what()).find(error["message"].get<std::string>()), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << "message must name the file";
        }
    }
}

TEST(CheckpointReader, MissingFileNamesPathAndReason) {
    try {
        CheckpointReader::read("/nonexistent/weights.pt");
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_STREQ(e.what(), "cannot read '/nonexistent/weights.pt': No such file or directory");
    }
}

TEST(CheckpointReader, ViewsAreCompactCopiesAndSharedStoragesAreIndependent) {
    for (const char* file : {"views_zip.pt", "views_legacy.pt"}) {
        const TensorMap t = CheckpointReader::read(fixture(file)).tensors;
        // A 12-element slice must not keep the 24-element storage alive.
        EXPECT_EQ(t.at("slice").storage().nbytes(), 12 * sizeof(float));
        EXPECT_NE(t.at("shared_a").data_ptr(), t.at("shared_b").data_ptr());
        t.at("shared_a").fill_(-1);
        EXPECT_EQ(t.at("shared_b")[0].item<float>(), 6.0f);
    }
}

TEST(CheckpointReader, FormatNames) {
    EXPECT_EQ(toString(CheckpointFormat::Safetensors), "safetensors");
    EXPECT_EQ(toString(CheckpointFormat::TorchZip), "torch-zip");
    EXPECT_EQ(toString(CheckpointFormat::TorchLegacy), "torch-legacy");
}

TEST(ZipArchive, InflatesNumpyCompressedNpz) {
    const auto bytes = test::bytesOf(fixture("pair.npz"));
    const ZipArchive zip(bytes.data(), bytes.size(), "pair.npz");
    const torch::Tensor reference = NpyReader::read(fixture("pair.npy"));
    ASSERT_EQ(zip.entries().size(), 2u);
    for (const char* name : {"arr.npy", "sub/x.npy"}) {
        const ZipArchive::Entry* entry = zip.find(name);
        ASSERT_NE(entry, nullptr) << name;
        EXPECT_EQ(entry->method, 8);
        const auto data = zip.read(*entry);
        EXPECT_TRUE(torch::equal(NpyReader::readBuffer(data.data(), data.size()), reference));
    }
}

} // namespace
} // namespace resnest::io
