#include "core/io/FileBuffer.h"

#include "core/io/CheckpointError.h"

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
    if (!S_ISREG(st.st_mode))
        fail(std::string("it is ") + kindOf(st.st_mode) + ", not a regular file");
    const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    if (size > maxBytes)
        fail("it has " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(maxBytes));
    // One byte more than the size, so a file that grows while it is read is noticed instead of cut short.
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size) + 1);
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + filled, bytes.size() - filled);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail(std::strerror(errno));
        if (n == 0)
            break;
        filled += static_cast<std::size_t>(n);
    }
    if (filled != size)
        fail("it changed size while being read (" + std::to_string(size) + " bytes before, " +
             std::to_string(filled) + (filled > size ? " or more" : "") + " now)");
    bytes.resize(filled);
    return bytes;
}

} // namespace resnest::io
