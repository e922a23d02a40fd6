#include "core/io/FileBuffer.h"

#include "core/io/CheckpointError.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace resnest::io {
namespace {

const char* kindOf(mode_t mode) {
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

} // namespace

std::vector<std::uint8_t> FileBuffer::read(const std::string& path, std::uint64_t maxBytes) {
    auto fail = [&](const std::string& what) { throw CheckpointError("cannot read '" + path + "': " + what); };
    // O_NONBLOCK so that a FIFO named by mistake is refused below instead of blocking the open.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        fail(std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        fail(std::strerror(errno));
    const bool pipe = S_ISFIFO(st.st_mode);
    if (!S_ISREG(st.st_mode) && !pipe)
        fail(std::string("it is ") + kindOf(st.st_mode) + ", not a regular file");
    // A pipe is read blocking from here on: an open writer is waited for, none at all reads as the end.
    if (pipe && ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        fail(std::strerror(errno));
    const std::uint64_t size = pipe ? std::min(maxBytes, kMaxPipeBytes) : static_cast<std::uint64_t>(st.st_size);
    if (!pipe && size > maxBytes)
        fail("it has " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(maxBytes));
    // One byte more than the size, so a file that grows while it is read (or a pipe that goes on past its
    // limit) is noticed instead of cut short. A pipe's buffer is only reserved: pages count once written.
    std::vector<std::uint8_t> bytes;
    bytes.reserve(static_cast<std::size_t>(size) + 1);
    std::size_t filled = 0;
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    while (filled < size + 1) {
        const std::size_t want = std::min<std::size_t>(kChunk, static_cast<std::size_t>(size) + 1 - filled);
        bytes.resize(filled + want);
        const ssize_t n = ::read(fd, bytes.data() + filled, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail(std::strerror(errno));
        if (n == 0)
            break;
        filled += static_cast<std::size_t>(n);
    }
    if (pipe && filled > size)
        fail("the pipe sends more than " + std::to_string(size) + " bytes; save it to a file first");
    if (!pipe && filled != size)
        fail("it changed size while being read (" + std::to_string(size) + " bytes before, " +
             std::to_string(filled) + (filled > size ? " or more" : "") + " now)");
    bytes.resize(filled);
    return bytes;
}

} // namespace resnest::io
