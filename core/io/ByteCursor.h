#pragma once

#include "core/io/CheckpointError.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace resnest::io {

// Bounds-checked little-endian reads over a borrowed buffer. Every parser goes through this so that a
// length or offset taken from a file can never move a read outside the buffer.
class ByteCursor {
public:
    ByteCursor(const std::uint8_t* data, std::size_t size, std::string name)
        : data_(data), size_(size), name_(std::move(name)) {}

    std::size_t pos() const { return pos_; }
    std::size_t size() const { return size_; }
    std::size_t remaining() const { return size_ - pos_; }
    const std::uint8_t* data() const { return data_; }
    const std::string& name() const { return name_; }

    void seek(std::uint64_t pos) {
        if (pos > size_)
            fail("offset " + std::to_string(pos) + " is past the end of the data (" + std::to_string(size_) +
                 " bytes)");
        pos_ = static_cast<std::size_t>(pos);
    }

    const std::uint8_t* take(std::uint64_t n) {
        if (n > remaining())
            fail("truncated: needs " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
                 " but only " + std::to_string(remaining()) + " remain");
        const std::uint8_t* p = data_ + pos_;
        pos_ += static_cast<std::size_t>(n);
        return p;
    }

    std::uint8_t u8() { return *take(1); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(le(take(2), 2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(le(take(4), 4)); }
    std::uint64_t u64() { return le(take(8), 8); }
    std::string str(std::uint64_t n) {
        const std::uint8_t* p = take(n);
        return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }

    static std::uint64_t le(const std::uint8_t* p, int n) {
        std::uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i)
            v = (v << 8) | p[i];
        return v;
    }

    [[noreturn]] void fail(const std::string& what) const { throw CheckpointError(name_ + ": " + what); }
    [[noreturn]] void failAt(std::size_t at, const std::string& what) const {
        throw CheckpointError(name_ + ": " + what + " (at byte " + std::to_string(at) + ")");
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
    std::string name_;
};

} // namespace resnest::io
