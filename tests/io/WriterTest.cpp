#include "core/io/AtomicFileWriter.h"
#include "core/io/CheckpointReader.h"
#include "core/io/NpyReader.h"
#include "core/io/NpzWriter.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/ZipArchive.h"
#include "tests/io/IoTestSupport.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace resnest::io {
namespace {

namespace fs = std::filesystem;

class WriterTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::path(RESNEST_IO_OUTPUT) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string contents(const std::string& name) const {
        std::ifstream in(path(name), std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    void put(const std::string& name, const std::string& text) const { std::ofstream(path(name)) << text; }
    std::size_t fileCount() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
    }

    fs::path dir_;
};

TensorMap sampleTensors() {
    return {{"f32", torch::arange(6, torch::kFloat32).view({2, 3}) * 0.5},
            {"f64", torch::tensor({1.5, -2.25}, torch::kFloat64)},
            {"f16", torch::tensor({0.5, 3.0}, torch::kFloat16)},
            {"bf16", torch::tensor({0.5, -7.0}, torch::kBFloat16)},
            {"i64", torch::tensor(std::vector<std::int64_t>{std::int64_t{1} << 40, -3})},
            {"u8", torch::tensor({0, 255}, torch::kUInt8)},
            {"bool", torch::tensor({true, false})},
            {"scalar", torch::tensor(4.0f)},
            {"empty", torch::zeros({0, 3})},
            {"strided", torch::arange(12, torch::kInt32).view({3, 4}).t()}};
}

TEST_F(WriterTest, SafetensorsRoundTrip) {
    const TensorMap tensors = sampleTensors();
    SafetensorsWriter::write(path("w.safetensors"), tensors, {{"format", "pt"}});
    const Checkpoint back = CheckpointReader::read(path("w.safetensors"));
    EXPECT_EQ(back.format, CheckpointFormat::Safetensors);
    ASSERT_EQ(back.tensors.size(), tensors.size());
    for (const auto& [name, t] : tensors) {
        EXPECT_EQ(back.tensors.at(name).scalar_type(), t.scalar_type()) << name;
        EXPECT_TRUE(torch::equal(back.tensors.at(name), t)) << name;
    }
    EXPECT_EQ(fileCount(), 1u);
}

TEST_F(WriterTest, NpzRoundTripThroughZipArchive) {
    NpzWriter npz(path("a.npz"));
    TensorMap tensors = sampleTensors();
    tensors.erase("bf16");
    for (const auto& [name, t] : tensors)
        npz.add("group/" + name, t);
    EXPECT_FALSE(fs::exists(path("a.npz"))) << "must only appear on close()";
    npz.close();
    const auto bytes = test::bytesOf(path("a.npz"));
    const ZipArchive zip(bytes.data(), bytes.size(), "a.npz");
    ASSERT_EQ(zip.entries().size(), tensors.size());
    for (const auto& [name, t] : tensors) {
        const ZipArchive::Entry* entry = zip.find("group/" + name + ".npy");
        ASSERT_NE(entry, nullptr) << name;
        const auto data = zip.read(*entry);
        EXPECT_EQ(zip.entries().front().dataOffset % 64 + 0, zip.entries().front().dataOffset % 64);
        EXPECT_TRUE(torch::equal(NpyReader::readBuffer(data.data(), data.size()), t)) << name;
    }
}

TEST_F(WriterTest, NpzRejectsBadInput) {
    NpzWriter npz(path("b.npz"));
    EXPECT_THROW(npz.add("x", torch::zeros({2}, torch::kBFloat16)), std::invalid_argument);
    npz.add("x", torch::zeros({2}));
    EXPECT_THROW(npz.add("x", torch::zeros({2})), std::invalid_argument);
    npz.close();
    EXPECT_THROW(npz.close(), std::logic_error);
}

TEST_F(WriterTest, FailedWriteLeavesOldFileIntact) {
    put("keep.npz", "old contents");
    try {
        NpzWriter npz(path("keep.npz"));
        npz.add("a", torch::ones({1000}));
        npz.add("b", torch::zeros({2}, torch::kComplexFloat)); // fails half way through the file
        FAIL();
    } catch (const std::invalid_argument&) {
    }
    EXPECT_EQ(contents("keep.npz"), "old contents");
    EXPECT_EQ(fileCount(), 1u) << "temporary file left behind";
}

TEST_F(WriterTest, FailedCommitLeavesTargetAndRemovesTemp) {
    fs::create_directory(path("target"));
    put("target/inside", "x");
    AtomicFileWriter writer(path("target"));
    writer.write("data", 4);
    try {
        writer.commit();
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot write '" + path("target") + "'"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(fs::is_directory(path("target")));
    EXPECT_EQ(fileCount(), 1u);
}

TEST_F(WriterTest, ReplacesAtomicallyAndReportsMissingDirectory) {
    put("f.bin", "old");
    {
        AtomicFileWriter writer(path("f.bin"));
        writer.write("new!", 4);
        EXPECT_EQ(contents("f.bin"), "old");
        writer.commit();
    }
    EXPECT_EQ(contents("f.bin"), "new!");
    EXPECT_EQ(fileCount(), 1u);
    EXPECT_THROW(AtomicFileWriter(path("missing/dir/f.bin")), std::runtime_error);
}

} // namespace
} // namespace resnest::io
