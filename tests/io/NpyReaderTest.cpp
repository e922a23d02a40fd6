#include "core/io/NpyReader.h"

#include "core/io/CheckpointError.h"
#include "tests/io/IoTestSupport.h"

#include <gtest/gtest.h>

namespace resnest::io {
namespace {

using test::fixture;

TEST(NpyReader, ReadsEveryNumpyVariantExactly) {
    ASSERT_GE(test::manifest()["npy"].size(), 10u);
    for (const auto& entry : test::manifest()["npy"]) {
        SCOPED_TRACE(entry["file"].get<std::string>());
        const torch::Tensor actual = NpyReader::read(fixture(entry["file"]));
        const torch::Tensor reference = NpyReader::read(fixture(entry["expected"]));
        EXPECT_TRUE(actual.is_contiguous());
        EXPECT_EQ(actual.scalar_type(), reference.scalar_type());
        EXPECT_TRUE(torch::equal(actual, reference));
    }
}

TEST(NpyReader, FortranOrderIsTransposedBack) {
    const torch::Tensor t = NpyReader::read(fixture("fortran_3d.npy"));
    EXPECT_EQ(t.sizes().vec(), (std::vector<std::int64_t>{2, 3, 4}));
    EXPECT_TRUE(torch::equal(t, torch::arange(24, torch::kInt32).view({2, 3, 4})));
}

void expectError(const std::string& bytes, const std::string& needle) {
    try {
        NpyReader::readBuffer(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "x.npy");
        ADD_FAILURE() << "accepted, expected: " << needle;
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

std::string npy(const std::string& dict, const std::string& data) {
    std::string s("\x93NUMPY\x01\x00", 8);
    s += static_cast<char>(dict.size() & 0xff);
    s += static_cast<char>(dict.size() >> 8);
    return s + dict + data;
}

TEST(NpyReader, RejectsWhatItCannotRepresent) {
    try {
        NpyReader::read(fixture("big_endian.npy"));
        ADD_FAILURE();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("unsupported dtype '>f4'"), std::string::npos) << e.what();
    }
    expectError("garbage", "bad magic");
    expectError(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", std::string(8, 0)),
                "unsupported dtype '<c8'");
    expectError(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", ""),
                "expected a string");
    expectError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", std::string(4, 0)),
                "data has 4 bytes, but shape and dtype need 8");
    expectError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", ""), "bad shape");
    expectError(
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999,99999999999999), }", ""),
        "shape is too large");
    expectError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999,), }", ""),
                "bad shape");
    expectError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4194304,4194304,4194304,), }", ""),
                "shape is too large");
    expectError(npy("{'descr': '<f4', 'fortran_order': False, }", ""),
                "needs descr, fortran_order and shape");
    expectError(npy("{'descr': '<f4'", ""), "expected '}'");
    expectError(std::string("\x93NUMPY\x01\x00\xff\xff{", 11), "truncated");
    expectError(std::string("\x93NUMPY\x04\x00\x00\x00", 10), "unsupported .npy format version 4");
}

} // namespace
} // namespace resnest::io
