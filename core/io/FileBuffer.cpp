#include "core/io/FileBuffer.h"

#include "core/io/CheckpointError.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace resnest::io {

std::vector<std::uint8_t> FileBuffer::read(const std::string& path) {
    auto fail = [&](const char* what) {
        throw CheckpointError("cannot " + std::string(what) + " '" + path + "': " + std::strerror(errno));
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file)
        fail("open");
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    // Read to EOF instead of trusting a size from stat: directories, pipes and growing files all behave.
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, file.get()))
        bytes.insert(bytes.end(), chunk, chunk + n);
    if (std::ferror(file.get()))
        fail("read");
    return bytes;
}

} // namespace resnest::io
