#pragma once

#include "core/io/AtomicFileWriter.h"

#include <cstdint>
#include <set>
#include <string>
#include <torch/types.h>
#include <vector>

namespace resnest::io {

// Writes a .npz (uncompressed zip of .npy entries) that numpy.load reads; entry "name" becomes
// "name.npy", and names may contain '/'. The file appears only on close(); if close() is never
// reached, the previous file at `path` is left as it was. Supports float16/32/64, int8/16/32/64, uint8
// and bool; up to 4 GiB in total (no ZIP64).
class NpzWriter {
public:
    explicit NpzWriter(std::string path);

    void add(const std::string& name, const torch::Tensor& tensor);
    void close();

private:
    struct Record {
        std::string name;
        std::uint32_t crc;
        std::uint32_t size;
        std::uint32_t offset;
    };

    AtomicFileWriter file_;
    std::vector<Record> records_;
    std::set<std::string> names_;
    bool closed_ = false;
};

} // namespace resnest::io
