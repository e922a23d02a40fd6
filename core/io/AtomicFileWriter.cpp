#include "core/io/AtomicFileWriter.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace resnest::io {

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
    // O_EXCL with a unique name instead of mkstemp: mkstemp forces mode 0600, we want the umask default.
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; fd_ < 0; ++attempt) {
        tempPath_ = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
        fd_ = ::open(tempPath_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ < 0 && (errno != EEXIST || attempt > 100))
            throw std::runtime_error("cannot write '" + path_ + "': cannot create temporary file '" +
                                     tempPath_ + "': " + std::strerror(errno));
    }
}

AtomicFileWriter::~AtomicFileWriter() {
    discard();
}

void AtomicFileWriter::discard() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (!tempPath_.empty()) {
        ::unlink(tempPath_.c_str());
        tempPath_.clear();
    }
}

void AtomicFileWriter::fail(const std::string& what) {
    const std::string message = "cannot write '" + path_ + "': " + what + ": " + std::strerror(errno);
    discard();
    throw std::runtime_error(message);
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
    if (fd_ < 0)
        throw std::logic_error("AtomicFileWriter: write after commit or failure");
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd_, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("write failed");
        p += n;
        size -= static_cast<std::size_t>(n);
        written_ += static_cast<std::uint64_t>(n);
    }
}

void AtomicFileWriter::writeFile(const std::string& path, const void* data, std::size_t size) {
    AtomicFileWriter out(path);
    out.write(data, size);
    out.commit();
}

void AtomicFileWriter::commit() {
    if (fd_ < 0)
        throw std::logic_error("AtomicFileWriter: commit after commit or failure");
    if (::fsync(fd_) != 0)
        fail("fsync failed");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0)
        fail("close failed");
    if (::rename(tempPath_.c_str(), path_.c_str()) != 0)
        fail("cannot replace the file");
    tempPath_.clear();
    // Persist the rename itself; failure here cannot be undone any more and is not worth an error.
    const std::size_t slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

} // namespace resnest::io
