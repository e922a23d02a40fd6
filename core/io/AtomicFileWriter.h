#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace resnest::io {

// Writes to a temporary file in the target's directory and renames it over the target on commit(),
// so readers and crashes only ever see the old file or the complete new one. Without commit() (an
// exception while writing, say) the temporary file is removed and the target stays untouched.
// Errors are std::runtime_error with the path and the system's reason.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* data, std::size_t size);
    std::uint64_t size() const { return written_; }
    // Flushes to disk (fsync), then atomically replaces the target.
    void commit();
    const std::string& path() const { return path_; }
    const std::string& tempPath() const { return tempPath_; }

    // The whole file in one call: write `size` bytes, then commit.
    static void writeFile(const std::string& path, const void* data, std::size_t size);
    static void writeFile(const std::string& path, const std::string& text) {
        writeFile(path, text.data(), text.size());
    }

private:
    [[noreturn]] void fail(const std::string& what);
    void discard() noexcept;

    std::string path_;
    std::string tempPath_;
    int fd_ = -1;
    std::uint64_t written_ = 0;
};

} // namespace resnest::io
