#include "core/io/CheckpointError.h"
#include "core/io/CheckpointReader.h"
#include "core/io/NpyReader.h"
#include "tests/io/IoTestSupport.h"

#include <gtest/gtest.h>
#include <random>

namespace resnest::io {
namespace {

// Feeds damaged copies of every valid fixture to the readers. Whatever the damage, the only acceptable
// outcomes are a result or a CheckpointError; anything else (another exception, a crash, a sanitizer
// report in the ASan build) is a bug.
template <typename Read> void hammer(const std::string& file, Read read) {
    const std::vector<std::uint8_t> original = test::bytesOf(test::fixture(file));
    ASSERT_FALSE(original.empty()) << file;
    std::size_t failures = 0;
    auto attempt = [&](const std::vector<std::uint8_t>& bytes, const std::string& what) {
        try {
            read(bytes);
        } catch (const CheckpointError& e) {
            if (std::string(e.what()).find(CheckpointReader::kUnexpected) != std::string::npos &&
                ++failures < 5)
                ADD_FAILURE() << file << " " << what << ": " << e.what();
        } catch (const std::exception& e) {
            if (++failures < 5)
                ADD_FAILURE() << file << " " << what << ": non-CheckpointError exception: " << e.what();
        }
    };
    // Every truncation length up to 4 KiB, then a dense sample beyond.
    for (std::size_t n = 0; n < original.size(); n += n < 4096 ? 1 : 1 + original.size() / 2048)
        attempt(std::vector<std::uint8_t>(original.begin(), original.begin() + n),
                "truncated to " + std::to_string(n));
    std::mt19937 rng(20240611u);
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint8_t> bytes = original;
        const int flips = 1 + round % 4;
        for (int i = 0; i < flips; ++i)
            bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
        attempt(bytes, "byte-flip round " + std::to_string(round));
    }
    EXPECT_EQ(failures, 0u) << file;
}

class CheckpointRobustness : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckpointRobustness, OnlyCheckpointErrorsOnDamage) {
    hammer(GetParam(), [](const std::vector<std::uint8_t>& b) {
        CheckpointReader::readBuffer(b.data(), b.size(), "damaged");
    });
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CheckpointRobustness,
                         ::testing::Values("plain_zip.pt", "plain_legacy.pt", "nested_zip.pt",
                                           "nested_legacy.pt", "views_zip.pt", "views_legacy.pt",
                                           "dtypes_zip.pt", "dtypes_legacy.pt", "plain.safetensors",
                                           "pair.npz"),
                         [](const auto& info) {
                             std::string name = info.param;
                             std::replace_if(
                                 name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                             return name;
                         });

TEST(NpyRobustness, OnlyCheckpointErrorsOnDamage) {
    for (const char* file : {"c_f4.npy", "fortran_3d.npy", "scalar_i8.npy", "bool.npy", "v2.npy", "v3.npy"})
        hammer(file, [](const std::vector<std::uint8_t>& b) { NpyReader::readBuffer(b.data(), b.size()); });
}

} // namespace
} // namespace resnest::io
