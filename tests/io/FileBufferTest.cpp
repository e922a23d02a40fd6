#include "core/io/FileBuffer.h"

#include "core/io/CheckpointError.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <string>
#include <chrono>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace resnest::io {
namespace {

std::string errorOf(const std::string& path, std::uint64_t maxBytes = FileBuffer::kDefaultMaxBytes) {
    try {
        FileBuffer::read(path, maxBytes);
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "<accepted>";
}

TEST(FileBuffer, ReadsRegularFilesWhole) {
    std::vector<std::uint8_t> sent(300000);
    for (std::size_t i = 0; i < sent.size(); ++i)
        sent[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
    const std::string regular = ::testing::TempDir() + "file_buffer_regular";
    {
        std::FILE* f = std::fopen(regular.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fwrite(sent.data(), 1, sent.size(), f);
        std::fclose(f);
    }
    EXPECT_EQ(FileBuffer::read(regular), sent);
    EXPECT_EQ(errorOf(regular, sent.size() - 1),
              "cannot read '" + regular + "': it has 300000 bytes, more than the limit of 299999");
    EXPECT_EQ(FileBuffer::read(regular, sent.size()), sent);
    std::remove(regular.c_str());
}

TEST(FileBuffer, ReadsPipesToTheEndAndAFifoWithoutWriterAsEmpty) {
    const std::string fifo = ::testing::TempDir() + "file_buffer_fifo";
    std::remove(fifo.c_str());
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::vector<std::uint8_t> sent(300000);
    for (std::size_t i = 0; i < sent.size(); ++i)
        sent[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
    std::thread writer([&] {
        std::FILE* f = std::fopen(fifo.c_str(), "wb");
        if (f) {
            std::fwrite(sent.data(), 1, sent.size(), f);
            std::fclose(f);
        }
    });
    // Waits for the writer to open its end, then reads until it closes.
    std::vector<std::uint8_t> got;
    for (int tries = 0; tries < 200 && got.empty(); ++tries) {
        got = FileBuffer::read(fifo);
        if (got.empty())
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    writer.join();
    EXPECT_EQ(got, sent);
    EXPECT_TRUE(FileBuffer::read(fifo).empty()); // no writer: the end at once, never a blocked open
    std::remove(fifo.c_str());
}

TEST(FileBuffer, RefusesDevicesAndFoldersWithoutReading) {
    // /dev/zero never ends.
    EXPECT_EQ(errorOf("/dev/zero"), "cannot read '/dev/zero': it is a device, not a regular file");
    const std::string folder = ::testing::TempDir();
    EXPECT_EQ(errorOf(folder), "cannot read '" + folder + "': it is a folder, not a regular file");
    EXPECT_NE(errorOf(folder + "no/such/file").find("No such file or directory"), std::string::npos);
}

} // namespace
} // namespace resnest::io
