#include "core/io/ZipArchive.h"

#include "core/io/ByteCursor.h"

#include <algorithm>
#include <zlib.h>

namespace resnest::io {
namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDir = 0x06054b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kZip64EndOfCentralDir = 0x06064b50;
constexpr std::uint32_t kMax32 = 0xffffffffu;
// Deflate cannot expand data by more than about 1032:1, so a larger claimed size is a lie.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
// Trained weights hardly compress (about 1.1:1); only a bomb made of zeros comes near the 1032:1 above. All
// deflated entries together may claim this ratio plus a margin for small, very compressible pickles, so a
// file of a few MB never inflates to GBs.
constexpr std::uint64_t kMaxTotalDeflateRatio = 16;
constexpr std::uint64_t kDeflateMargin = std::uint64_t{16} << 20;

} // namespace

void ZipArchive::fail(const std::string& what) const {
    throw CheckpointError(name_ + ": invalid zip archive: " + what);
}

ZipArchive::ZipArchive(const std::uint8_t* data, std::size_t size, std::string name)
    : data_(data), size_(size), name_(std::move(name)) {
    ByteCursor in(data, size, name_);
    // The end-of-central-directory record is 22 bytes plus a comment of at most 64 KiB.
    if (size < 22)
        fail("too small to be a zip file");
    std::size_t eocd = size - 22;
    const std::size_t lowest = size > 22 + 0xffff ? size - 22 - 0xffff : 0;
    while (ByteCursor::le(data + eocd, 4) != kEndOfCentralDir) {
        if (eocd == lowest)
            fail("end of central directory not found (file truncated?)");
        --eocd;
    }
    in.seek(eocd + 10);
    std::uint64_t count = in.u16();
    std::uint64_t cdSize = in.u32();
    std::uint64_t cdOffset = in.u32();
    if (count == 0xffff || cdSize == kMax32 || cdOffset == kMax32) {
        if (eocd < 20 || ByteCursor::le(data + eocd - 20, 4) != kZip64Locator)
            fail("ZIP64 locator missing");
        in.seek(eocd - 12);
        in.seek(in.u64());
        if (in.u32() != kZip64EndOfCentralDir)
            in.failAt(in.pos() - 4, "invalid zip archive: bad ZIP64 end of central directory");
        in.seek(in.pos() + 28); // record size, versions, disk numbers, entries on this disk
        count = in.u64();
        cdSize = in.u64();
        cdOffset = in.u64();
    }
    if (cdOffset > size || cdSize > size - cdOffset)
        fail("central directory (offset " + std::to_string(cdOffset) + ", " + std::to_string(cdSize) +
             " bytes) lies outside the file of " + std::to_string(size) + " bytes");
    if (count > cdSize / 46)
        fail("central directory claims " + std::to_string(count) + " entries, more than fit");

    ByteCursor cd(data + cdOffset, static_cast<std::size_t>(cdSize), name_ + " (central directory)");
    entries_.reserve(static_cast<std::size_t>(count));
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans; // [local header, end of data) of each entry
    std::uint64_t deflated = 0, inflated = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::size_t at = static_cast<std::size_t>(cdOffset + cd.pos());
        if (cd.u32() != kCentralHeader)
            in.failAt(at, "invalid zip archive: bad central directory entry");
        Entry e;
        cd.take(4);
        e.flags = cd.u16();
        e.method = cd.u16();
        cd.take(4);
        e.crc = cd.u32();
        e.compressedSize = cd.u32();
        e.size = cd.u32();
        const std::uint16_t nameLength = cd.u16(), extraLength = cd.u16(), commentLength = cd.u16();
        cd.take(8);
        std::uint64_t localOffset = cd.u32();
        e.name = cd.str(nameLength);
        ByteCursor extra(cd.take(extraLength), extraLength, name_);
        cd.take(commentLength);
        while (extra.remaining() >= 4) {
            const std::uint16_t id = extra.u16(), length = extra.u16();
            ByteCursor field(extra.take(length), length, name_ + " (ZIP64 field of " + e.name + ")");
            if (id != 1)
                continue;
            // Only the fields whose 32-bit value is saturated are present, in this order.
            if (e.size == kMax32)
                e.size = field.u64();
            if (e.compressedSize == kMax32)
                e.compressedSize = field.u64();
            if (localOffset == kMax32)
                localOffset = field.u64();
        }

        in.seek(localOffset);
        if (in.u32() != kLocalHeader)
            fail("entry '" + e.name + "' has no local header at offset " + std::to_string(localOffset));
        in.seek(localOffset + 26);
        const std::uint64_t localName = in.u16(), localExtra = in.u16();
        in.take(localName + localExtra);
        e.dataOffset = in.pos();
        if (e.compressedSize > in.remaining())
            fail("data of entry '" + e.name + "' runs past the end of the file");
        if (e.method == 0 ? e.size != e.compressedSize
                          : e.method != 8 || e.size > e.compressedSize * kMaxDeflateRatio + 64)
            fail("entry '" + e.name + "' has an unsupported compression method or implausible size");
        if (e.flags & 1)
            fail("entry '" + e.name + "' is encrypted");
        // Readers disagree on which of two equal names wins (the first here, the last in torch): one file
        // would be two models.
        if (!index_.emplace(e.name, entries_.size()).second)
            fail("entry name '" + e.name + "' appears twice");
        spans.emplace_back(localOffset, e.dataOffset + e.compressedSize);
        if (e.method == 8) {
            deflated += e.compressedSize;
            inflated += e.size;
        }
        entries_.push_back(std::move(e));
    }
    // Entries sharing bytes would let one compressed stream be inflated once per entry.
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i)
        if (spans[i].first < spans[i - 1].second)
            fail("entries overlap at byte " + std::to_string(spans[i].first));
    if (inflated > deflated * kMaxTotalDeflateRatio + kDeflateMargin)
        fail("compressed entries claim " + std::to_string(inflated) + " bytes from " + std::to_string(deflated) +
             ", more than any checkpoint compresses (a zip bomb?)");
}

const ZipArchive::Entry* ZipArchive::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &entries_[it->second];
}

void ZipArchive::extract(const Entry& e, std::uint8_t* out) const {
    const std::uint8_t* src = data_ + e.dataOffset;
    if (e.method == 0) {
        std::copy(src, src + e.size, out);
    } else {
        z_stream zs{};
        if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
            fail("cannot initialize zlib");
        constexpr std::uint64_t kChunk = 1u << 30; // zlib counts in 32-bit units
        int rc = Z_OK;
        while (rc == Z_OK) {
            zs.next_in = const_cast<std::uint8_t*>(src) + zs.total_in;
            zs.avail_in = static_cast<uInt>(std::min<std::uint64_t>(e.compressedSize - zs.total_in, kChunk));
            zs.next_out = out + zs.total_out;
            zs.avail_out = static_cast<uInt>(std::min<std::uint64_t>(e.size - zs.total_out, kChunk));
            rc = inflate(&zs, Z_NO_FLUSH);
        }
        const std::uint64_t produced = zs.total_out;
        inflateEnd(&zs);
        if (rc != Z_STREAM_END || produced != e.size)
            fail("entry '" + e.name + "' is corrupt (deflate stream does not match its declared size)");
    }
    std::uint64_t crc = crc32_z(0, nullptr, 0);
    crc = crc32_z(crc, out, e.size);
    if (crc != e.crc)
        fail("entry '" + e.name + "' is corrupt (CRC mismatch)");
}

std::vector<std::uint8_t> ZipArchive::read(const Entry& entry) const {
    std::vector<std::uint8_t> bytes(entry.size);
    extract(entry, bytes.data());
    return bytes;
}

} // namespace resnest::io
