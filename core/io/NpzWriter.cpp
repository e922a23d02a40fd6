#include "core/io/NpzWriter.h"

#include "core/io/DType.h"

#include <stdexcept>
#include <zlib.h>

namespace resnest::io {
namespace {

constexpr std::uint64_t kZipLimit = 0xffffffffu;

void put(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::string npyHeader(const DType& dtype, const torch::Tensor& t) {
    std::string shape = "(";
    for (std::int64_t d : t.sizes())
        shape += std::to_string(d) + ", ";
    if (t.dim() > 0)
        shape.erase(shape.size() - (t.dim() == 1 ? 1 : 2)); // "(3,)" but "(3, 4)"
    shape += ")";
    std::string dict =
        "{'descr': '" + std::string(dtype.numpy) + "', 'fortran_order': False, 'shape': " + shape + ", }";
    // numpy pads the header with spaces so the data starts 64-byte aligned, ending in '\n'.
    const std::size_t total = 10 + dict.size() + 1;
    dict.append((64 - total % 64) % 64, ' ');
    dict.push_back('\n');
    std::string header("\x93NUMPY\x01\x00", 8);
    put(header, dict.size(), 2);
    return header + dict;
}

} // namespace

NpzWriter::NpzWriter(std::string path) : file_(std::move(path)) {}

void NpzWriter::add(const std::string& name, const torch::Tensor& tensor) {
    if (closed_)
        throw std::logic_error("NpzWriter: add() after close()");
    const auto dtype = DType::fromScalarType(tensor.scalar_type());
    if (!dtype || !*dtype->numpy)
        throw std::invalid_argument("NpzWriter: " + std::string(c10::toString(tensor.scalar_type())) +
                                    " has no .npy equivalent (entry '" + name + "')");
    if (name.empty() || name.size() > 0xfff0 || !names_.insert(name).second)
        throw std::invalid_argument("NpzWriter: entry name '" + name +
                                    "' is empty, too long or already used");

    const torch::Tensor t = tensor.detach().cpu().contiguous();
    const std::string header = npyHeader(*dtype, t);
    const auto* data = static_cast<const Bytef*>(t.data_ptr());
    const std::uint64_t dataSize = t.numel() * dtype->itemSize;
    const std::uint64_t size = header.size() + dataSize;
    const std::string entry = name + ".npy";
    if (file_.size() + 30 + entry.size() + size >= kZipLimit)
        throw std::runtime_error("NpzWriter: '" + file_.path() +
                                 "' would exceed 4 GiB, which is not supported");

    std::uint32_t crc = crc32_z(0, reinterpret_cast<const Bytef*>(header.data()), header.size());
    if (dataSize > 0) // zlib treats a null buffer as "return the initial value", i.e. 0
        crc = crc32_z(crc, data, dataSize);
    records_.push_back(
        {entry, crc, static_cast<std::uint32_t>(size), static_cast<std::uint32_t>(file_.size())});

    std::string local;
    put(local, 0x04034b50, 4);
    put(local, 20, 2);   // version needed: 2.0
    put(local, 0, 2);    // flags
    put(local, 0, 2);    // stored
    put(local, 0, 2);    // time
    put(local, 0x21, 2); // date: 1980-01-01, fixed so output is reproducible
    put(local, crc, 4);
    put(local, size, 4);
    put(local, size, 4);
    put(local, entry.size(), 2);
    put(local, 0, 2);
    local += entry + header;
    file_.write(local.data(), local.size());
    file_.write(data, dataSize);
}

void NpzWriter::close() {
    if (closed_)
        throw std::logic_error("NpzWriter: close() called twice");
    closed_ = true;
    std::string directory;
    for (const Record& r : records_) {
        put(directory, 0x02014b50, 4);
        put(directory, 20, 2); // made by
        put(directory, 20, 2); // needed
        put(directory, 0, 2);
        put(directory, 0, 2);
        put(directory, 0, 2);
        put(directory, 0x21, 2);
        put(directory, r.crc, 4);
        put(directory, r.size, 4);
        put(directory, r.size, 4);
        put(directory, r.name.size(), 2);
        put(directory, 0, 2); // extra
        put(directory, 0, 2); // comment
        put(directory, 0, 2); // disk
        put(directory, 0, 2); // internal attributes
        put(directory, 0, 4); // external attributes
        put(directory, r.offset, 4);
        directory += r.name;
    }
    const std::uint64_t offset = file_.size(), directorySize = directory.size();
    if (offset + directory.size() >= kZipLimit || records_.size() >= 0xffff)
        throw std::runtime_error("NpzWriter: '" + file_.path() +
                                 "' would exceed zip limits (4 GiB, 65535 entries)");
    put(directory, 0x06054b50, 4);
    put(directory, 0, 4); // disk numbers
    put(directory, records_.size(), 2);
    put(directory, records_.size(), 2);
    put(directory, directorySize, 4);
    put(directory, offset, 4);
    put(directory, 0, 2);
    file_.write(directory.data(), directory.size());
    file_.commit();
}

} // namespace resnest::io
