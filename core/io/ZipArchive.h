#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace resnest::io {

// Read-only view of a zip archive held in memory (torch.save's container). Reads the central directory,
// including ZIP64 records, and validates every offset and size against the buffer before use.
class ZipArchive {
public:
    struct Entry {
        std::string name;
        std::uint16_t method = 0; // 0 stored, 8 deflated
        std::uint16_t flags = 0;
        std::uint32_t crc = 0;
        std::uint64_t compressedSize = 0;
        std::uint64_t size = 0;       // uncompressed
        std::uint64_t dataOffset = 0; // start of the (compressed) data in the buffer
    };

    ZipArchive(const std::uint8_t* data, std::size_t size, std::string nameForMessages);

    const std::vector<Entry>& entries() const { return entries_; }
    const Entry* find(const std::string& name) const;
    // Writes exactly entry.size bytes to `out` and verifies the CRC-32.
    void extract(const Entry& entry, std::uint8_t* out) const;
    std::vector<std::uint8_t> read(const Entry& entry) const;

private:
    [[noreturn]] void fail(const std::string& what) const;

    const std::uint8_t* data_;
    std::size_t size_;
    std::string name_;
    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::size_t> index_;
};

} // namespace resnest::io
