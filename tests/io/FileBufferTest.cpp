#include "core/io/FileBuffer.h"

#include "core/io/CheckpointError.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace resnest::io {
namespace {

TEST(FileBuffer, ReadsToTheEndOfPipesAndNamesDirectories) {
    // The size from stat only sizes the first read: a pipe reports none and must still arrive whole.
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
    const std::vector<std::uint8_t> got = FileBuffer::read(fifo);
    writer.join();
    std::remove(fifo.c_str());
    EXPECT_EQ(got, sent);

    const std::string regular = ::testing::TempDir() + "file_buffer_regular";
    {
        std::FILE* f = std::fopen(regular.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fwrite(sent.data(), 1, 12345, f);
        std::fclose(f);
    }
    EXPECT_EQ(FileBuffer::read(regular), std::vector<std::uint8_t>(sent.begin(), sent.begin() + 12345));
    std::remove(regular.c_str());

    try {
        FileBuffer::read(::testing::TempDir());
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("Is a directory"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace resnest::io
