#include "core/io/CheckpointError.h"
#include "core/io/CheckpointReader.h"
#include "core/io/PickleReader.h"
#include "tests/io/IoTestSupport.h"

#include <gtest/gtest.h>

namespace resnest::io {
namespace {

using test::PickleBuilder;

std::string errorOf(const std::vector<std::uint8_t>& bytes) {
    try {
        CheckpointReader::readBuffer(bytes.data(), bytes.size(), "evil.pt");
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "<accepted>";
}

std::string errorOf(const std::string& bytes) {
    return errorOf(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

#define EXPECT_ERROR(bytes, needle)                                                                          \
    do {                                                                                                     \
        const std::string message = errorOf(bytes);                                                          \
        EXPECT_NE(message.find(needle), std::string::npos) << message;                                       \
        EXPECT_EQ(message.rfind("evil.pt", 0), 0u) << message;                                               \
    } while (0)

std::string pickleError(const std::string& pickle) {
    try {
        PickleReader reader(reinterpret_cast<const std::uint8_t*>(pickle.data()), pickle.size(), "p.pkl");
        reader.load();
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "<accepted>";
}

std::string safetensors(const std::string& header, const std::string& data) {
    PickleBuilder length; // only used for its little-endian helper
    length.le(header.size(), 8);
    return length.done().substr(0, 8) + header + data;
}

TEST(HostileInput, GarbageAndWrongMagic) {
    EXPECT_ERROR("", "file is empty");
    EXPECT_ERROR("hello world, not a model", "not a checkpoint (expected safetensors or torch.save)");
    EXPECT_ERROR(std::string("\x80\x02}q\x00.", 6), "a Python pickle, but not one written by torch.save");
    std::string tar(600, '\0');
    tar.replace(257, 5, "ustar");
    EXPECT_ERROR(tar, "tar-based torch.save file from PyTorch < 0.4 is not supported");
}

TEST(HostileInput, SafetensorsHeaders) {
    const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    EXPECT_EQ(errorOf(safetensors(ok, std::string(8, '\0'))), "<accepted>");
    std::string huge = safetensors("{}", "");
    huge[7] = '\x7f';
    EXPECT_ERROR(huge, "header length 9151314442816847874 exceeds the file size");
    EXPECT_ERROR(safetensors("{\"a\":", ""), "not valid JSON");
    EXPECT_ERROR(
        safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", std::string(4, '\0')),
        "lie outside the 4 data bytes");
    EXPECT_ERROR(
        safetensors(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", std::string(8, '\0')),
        "invalid shape [-2]");
    EXPECT_ERROR(
        safetensors(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}})",
                    std::string(8, '\0')),
        "invalid shape");
    EXPECT_ERROR(
        safetensors(R"({"a":{"dtype":"F32","shape":[0,4611686018427387904,8],"data_offsets":[0,0]}})", ""),
        "invalid shape");
    EXPECT_ERROR(
        safetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')),
        "span 8 bytes but shape and dtype need 12");
    EXPECT_ERROR(
        safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", std::string(8, '\0')),
        "lie outside");
    EXPECT_ERROR(safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
                                 "b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                             std::string(8, '\0')),
                 "tensors 'a' and 'b' overlap");
    EXPECT_ERROR(
        safetensors(R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0')),
        "unsupported dtype \"C64\"");
    EXPECT_ERROR(safetensors(R"({"a":{"dtype":"F32","shape":[1]}})", ""),
                 "needs dtype, shape and data_offsets");
    // Deep nesting must neither overflow the stack while parsing, quoting or destroying the JSON.
    EXPECT_ERROR(safetensors("{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}", ""),
                 "nests deeper than 4 levels");
    EXPECT_ERROR(safetensors(R"({"a":{"dtype":)" + std::string(100000, '[') + std::string(100000, ']') +
                                 R"(,"shape":[1],"data_offsets":[0,4]}})",
                             std::string(4, '\0')),
                 "nests deeper than 4 levels");
    EXPECT_ERROR(safetensors(R"({"a":{"dtype":")" + std::string(100000, 'Z') +
                                 R"(","shape":[1],"data_offsets":[0,4]}})",
                             std::string(4, '\0')),
                 "unsupported dtype \"ZZZZ");
    EXPECT_LT(errorOf(safetensors(R"({"a":{"dtype":")" + std::string(100000, 'Z') +
                                      R"(","shape":[1],"data_offsets":[0,4]}})",
                                  std::string(4, '\0')))
                  .size(),
              200u);
}

TEST(HostileInput, SafetensorsDuplicatesAndUnclaimedBytes) {
    // nlohmann keeps the last of two equal keys: one file, two readings.
    EXPECT_ERROR(safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
                                 "a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                             std::string(8, '\0')),
                 "lists 'a' twice (duplicate key)");
    EXPECT_ERROR(safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
                                 "b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                             std::string(12, '\0')),
                 "data bytes [4, 8) belong to no tensor");
    EXPECT_ERROR(safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::string(9, '\0')),
                 "data bytes [4, 9) belong to no tensor");
    EXPECT_EQ(errorOf(safetensors(R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},
                                      "a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                                  std::string(4, '\0'))),
              "<accepted>");
}

TEST(HostileInput, PickleMachine) {
    EXPECT_NE(pickleError("\x80\x02\xff.").find("unknown or unsupported opcode 0xff (at byte 2)"),
              std::string::npos);
    EXPECT_NE(pickleError("\x80\x02R.").find("stack underflow"), std::string::npos);
    EXPECT_NE(pickleError("\x80\x02Nt.").find("no MARK on the stack"), std::string::npos);
    EXPECT_NE(pickleError("\x80\x02(0.").find("stack underflow"),
              std::string::npos); // POP may not cross a MARK
    EXPECT_NE(pickleError("\x80\x02h\x05.").find("memo entry 5 is not defined"), std::string::npos);
    EXPECT_NE(pickleError("\x80\x02Nr\xff\xff\xff\xffj\xfe\xff\xff\xff.").find("memo entry 4294967294"),
              std::string::npos);
    EXPECT_NE(pickleError("\x80\x02X\xff\xff\xff\xff").find("runs past the end"), std::string::npos);
    EXPECT_NE(pickleError(std::string("\x80\x02\x8b\xff\xff\xff\x7f", 7)).find("truncated"),
              std::string::npos);
    EXPECT_NE(pickleError("\x80\x02N").find("data ends before the STOP opcode"), std::string::npos);
    EXPECT_NE(pickleError("\x80\x09N.").find("unsupported pickle protocol 9"), std::string::npos);
    EXPECT_NE(pickleError("\x80\x02" + std::string(5000, '(') + ".").find("MARKs nested too deeply"),
              std::string::npos);
    EXPECT_NE(
        pickleError("\x80\x02" + std::string(PickleReader::kMaxValues + 1, 'N') + ".").find("more than"),
        std::string::npos);
    EXPECT_NE(pickleError("\x80\x02Pfoo\n.").find("persistent id"), std::string::npos);
    EXPECT_NE(pickleError("\x80\x02NQ.").find("unsupported persistent id"), std::string::npos);
    // Deep nesting and self reference build fine: nothing recurses over the value graph.
    EXPECT_EQ(pickleError("\x80\x02N" + std::string(1000000, '\x85') + "."), "<accepted>");
    EXPECT_EQ(pickleError(std::string("\x80\x02]q\x00h\x00"
                                      "a}q\x01X\x01\x00\x00\x00kh\x01s.",
                                      22)),
              "<accepted>");
}

TEST(HostileInput, LegacyContainerAndNestedPickles) {
    const std::string keys = PickleBuilder().proto().op(']').done();
    EXPECT_ERROR(
        test::legacyFile(PickleBuilder().proto().op('N').raw(std::string(200000, '\x85')).done(), keys, ""),
        "holds a tuple, not a dict of tensors");
    EXPECT_ERROR(test::legacyFile(PickleBuilder()
                                      .proto()
                                      .raw(std::string("}q\x00X\x01\x00\x00\x00"
                                                       "ah\x00s",
                                                       12))
                                      .done(),
                                  keys, ""),
                 "no tensors found (top-level keys: a)");
    EXPECT_ERROR(test::legacyFile(
                     PickleBuilder().proto().global("os", "system").str("rm -rf /").op('\x85').op('R').done(),
                     keys, ""),
                 "holds a os.system object");
    std::string bigEndian("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
    bigEndian += PickleBuilder().proto().raw("M\xe9\x03").done();
    bigEndian += PickleBuilder().proto().op('}').str("little_endian").op('\x89').op('s').done();
    EXPECT_ERROR(bigEndian, "big-endian");
    EXPECT_ERROR(test::legacyFile(PickleBuilder().proto().op('}').done(), "", ""),
                 "data ends before the STOP opcode");
}

// A state dict {"w": tensor} whose tensor geometry is hostile; storage "0" holds 4 floats.
std::vector<std::uint8_t> tensorFile(std::int64_t numel, std::int64_t offset, std::vector<std::int64_t> size,
                                     std::vector<std::int64_t> stride, std::uint64_t storedNumel = 4) {
    PickleBuilder main;
    main.proto().op('}').str("w").tensor("0", numel, offset, size, stride).op('s');
    PickleBuilder count;
    count.le(storedNumel, 8);
    const std::string countBytes = count.done().substr(0, 8);
    return test::legacyFile(main.done(), PickleBuilder().proto().op('(').str("0").op('l').done(),
                            countBytes + std::string(16, '\0'));
}

TEST(HostileInput, TensorGeometry) {
    EXPECT_EQ(errorOf(tensorFile(4, 1, {3}, {1})), "<accepted>");
    EXPECT_EQ(errorOf(tensorFile(4, 0, {2, 2}, {1, 2})), "<accepted>");
    EXPECT_ERROR(tensorFile(4, 2, {3}, {1}), "reaches outside its storage '0' of 4 elements");
    EXPECT_ERROR(tensorFile(4, 0, {2}, {4}), "reaches outside its storage");
    EXPECT_ERROR(tensorFile(4, -1, {1}, {1}), "reaches outside its storage");
    EXPECT_ERROR(tensorFile(4, 0, {2}, {-1}), "reaches outside its storage");
    EXPECT_ERROR(tensorFile(4, 0, {-2}, {1}), "reaches outside its storage");
    EXPECT_ERROR(tensorFile(4, 0, {1LL << 62, 4}, {1LL << 62, 1}), "reaches outside its storage");
    EXPECT_ERROR(tensorFile(4, 0, {2}, {1, 1}), "malformed tensor");
    EXPECT_ERROR(tensorFile(1LL << 61, 0, {2}, {1}, 1ULL << 61), "runs past the end of the file");
    EXPECT_ERROR(tensorFile(4, 0, {2}, {1}, 5), "holds 5 elements, expected 4");
    // A zero stride repeats the storage: 4 floats in the file would become 16 MB.
    EXPECT_ERROR(tensorFile(4, 0, {1000, 1000, 4}, {0, 0, 1}), "has 4000000 elements but its storage only 4");
    EXPECT_ERROR(tensorFile(4, 0, {5}, {0}), "has 5 elements but its storage only 4 (a zero or overlapping");
    EXPECT_EQ(errorOf(tensorFile(4, 0, {3}, {0})), "<accepted>"); // copied: 12 bytes of a 16-byte storage
}

// {"k0": view, "k1": view, ...}: `count` entries on storage "0" of 4 floats.
std::vector<std::uint8_t> aliasingFile(int count, std::vector<std::int64_t> size, std::vector<std::int64_t> stride) {
    PickleBuilder main;
    main.proto().op('}');
    for (int i = 0; i < count; ++i)
        main.str("k" + std::to_string(i)).tensor("0", 4, 0, size, stride).op('s');
    PickleBuilder numel;
    numel.le(4, 8);
    return test::legacyFile(main.done(), PickleBuilder().proto().op('(').str("0").op('l').done(),
                            numel.done().substr(0, 8) + std::string(16, '\0'));
}

TEST(HostileInput, AliasingViewsCannotMultiplyMemory) {
    // Every view is an independent copy, so many keys on one storage would each take its size again.
    const auto few = aliasingFile(1000, {4}, {1});
    EXPECT_EQ(CheckpointReader::readBuffer(few.data(), few.size(), "alias.pt").tensors.size(), 1000u);
    // 64 MiB of copies of 16 bytes is about 4.2 million views; a pickle of that many is large, so take
    // bigger views of a bigger storage instead: 4 MiB of storage, each view all of it.
    PickleBuilder main;
    main.proto().op('}');
    const std::int64_t numel = std::int64_t{1} << 20;
    for (int i = 0; i < 20; ++i)
        main.str("k" + std::to_string(i)).tensor("0", numel, 0, {numel}, {1}).op('s');
    PickleBuilder count;
    count.le(static_cast<std::uint64_t>(numel), 8);
    const auto many = test::legacyFile(main.done(), PickleBuilder().proto().op('(').str("0").op('l').done(),
                                       count.done().substr(0, 8) + std::string(numel * 4, '\0'));
    EXPECT_ERROR(many, "views of shared storages would take more than 71303168 bytes");
}

std::vector<std::uint8_t> plainZip() {
    return test::bytesOf(test::fixture("plain_zip.pt"));
}

std::size_t eocdOffset(const std::vector<std::uint8_t>& zip) {
    for (std::size_t i = zip.size() - 22;; --i)
        if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 5 && zip[i + 3] == 6)
            return i;
}

TEST(HostileInput, ZipStructure) {
    auto zip = plainZip();
    EXPECT_EQ(errorOf(zip), "<accepted>");
    const std::size_t eocd = eocdOffset(zip);
    auto badOffset = zip;
    badOffset[eocd + 16] = 0xf0; // central directory offset
    badOffset[eocd + 19] = 0x7f;
    EXPECT_ERROR(badOffset, "central directory");
    auto badCount = zip;
    badCount[eocd + 10] = badCount[eocd + 11] = 0xfe;
    EXPECT_ERROR(badCount, "more than fit");
    auto cut = zip;
    cut.resize(eocd);
    EXPECT_ERROR(cut, "end of central directory not found");
    auto crc = zip; // flip a byte inside the first storage (stored uncompressed, 64-byte aligned)
    const std::string name = "plain_zip/data/0";
    auto where = std::search(crc.begin(), crc.end(), name.begin(), name.end());
    ASSERT_NE(where, crc.end());
    const std::size_t data = static_cast<std::size_t>(where - crc.begin()) + name.size();
    crc[(data + 63) / 64 * 64 + 5] ^= 0x40;
    EXPECT_ERROR(crc, "CRC mismatch");
    // torch writes ZIP64 records; damage the pointer to them and then the locator itself.
    ASSERT_EQ(zip[eocd - 20], 'P');
    auto zip64 = zip;
    zip64[eocd + 12] = zip64[eocd + 13] = zip64[eocd + 14] = zip64[eocd + 15] = 0xff;
    zip64[eocd - 12] ^= 0x01;
    EXPECT_ERROR(zip64, "bad ZIP64 end of central directory");
    zip64[eocd - 12] = 0xff;
    zip64[eocd - 5] = 0x7f;
    EXPECT_ERROR(zip64, "past the end of the data");
    zip64[eocd - 20] = 'X';
    EXPECT_ERROR(zip64, "ZIP64 locator missing");
}

TEST(HostileInput, ZipDuplicateNames) {
    // Every occurrence (local header and central directory) of data/1 renamed to data/0.
    auto zip = plainZip();
    const std::string from = "plain_zip/data/1", to = "plain_zip/data/0";
    int renamed = 0;
    for (auto at = std::search(zip.begin(), zip.end(), from.begin(), from.end()); at != zip.end();
         at = std::search(at, zip.end(), from.begin(), from.end())) {
        std::copy(to.begin(), to.end(), at);
        ++renamed;
    }
    ASSERT_EQ(renamed, 2);
    EXPECT_ERROR(zip, "entry name 'plain_zip/data/0' appears twice");
}

} // namespace
} // namespace resnest::io
