#include "core/io/FileBuffer.h"

#include "core/io/CheckpointError.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>

namespace resnest::io {

std::vector<std::uint8_t> FileBuffer::read(const std::string& path) {
    auto fail = [&](const char* what) {
        throw CheckpointError("cannot " + std::string(what) + " '" + path + "': " + std::strerror(errno));
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file)
        fail("open");
    // The size from stat is only a first guess (pipes report 0, a file may grow), so reading still goes on to
    // EOF; the guess spares a 100 MB checkpoint the vector's doublings, which cost a second here in copies
    // and page faults.
    struct stat st {};
    std::vector<std::uint8_t> bytes;
    if (fstat(fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        bytes.resize(static_cast<std::size_t>(st.st_size) + 1);
    else
        bytes.resize(std::size_t{1} << 16);
    std::size_t filled = 0;
    for (;;) {
        if (filled == bytes.size())
            bytes.resize(bytes.size() * 2);
        const std::size_t n = std::fread(bytes.data() + filled, 1, bytes.size() - filled, file.get());
        filled += n;
        if (n == 0)
            break;
    }
    if (std::ferror(file.get()))
        fail("read");
    bytes.resize(filled);
    return bytes;
}

} // namespace resnest::io
