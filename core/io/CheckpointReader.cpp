#include "core/io/CheckpointReader.h"

#include "core/io/CheckpointError.h"
#include "core/io/FileBuffer.h"
#include "core/io/SafetensorsReader.h"
#include "core/io/TorchLegacyReader.h"
#include "core/io/TorchZipReader.h"

#include <c10/util/Exception.h>
#include <cstring>
#include <new>

namespace resnest::io {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the readers copy little-endian data as is");

namespace {

Checkpoint dispatch(const std::uint8_t* data, std::size_t size, const std::string& name) {
    if (size == 0)
        throw CheckpointError(name + ": file is empty");
    if (size >= 4 && std::memcmp(data, "PK", 2) == 0 && (data[2] == 3 || data[2] == 5))
        return TorchZipReader::read(data, size, name);
    if (TorchLegacyReader::sniff(data, size))
        return TorchLegacyReader::read(data, size, name);
    if (size >= 9 && data[8] == '{') {
        Checkpoint checkpoint;
        checkpoint.format = CheckpointFormat::Safetensors;
        checkpoint.tensors = SafetensorsReader::read(data, size, name, &checkpoint.metadata);
        return checkpoint;
    }
    if (size >= 262 && std::memcmp(data + 257, "ustar", 5) == 0)
        throw CheckpointError(name + ": tar-based torch.save file from PyTorch < 0.4 is not supported; "
                                     "load and re-save it with a current PyTorch");
    if (data[0] == 0x80)
        throw CheckpointError(name + ": a Python pickle, but not one written by torch.save");
    throw CheckpointError(name + ": not a checkpoint (expected safetensors or torch.save)");
}

} // namespace

Checkpoint CheckpointReader::read(const std::string& path) {
    const std::vector<std::uint8_t> bytes = FileBuffer::read(path);
    return readBuffer(bytes.data(), bytes.size(), path);
}

Checkpoint CheckpointReader::readBuffer(const std::uint8_t* data, std::size_t size, const std::string& name) {
    // Parsers throw CheckpointError themselves; this only keeps the promise for what slips through from
    // libraries underneath (allocation failures, torch checks), so callers need one catch clause. Tests
    // and fuzzers treat kUnexpected in a message as a bug.
    try {
        return dispatch(data, size, name);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw CheckpointError(name + ": not enough memory to load the checkpoint");
    } catch (const c10::Error& e) {
        // LibTorch's what() carries a backtrace; one line is what a user can read.
        throw CheckpointError(name + ": " + kUnexpected + e.what_without_backtrace());
    } catch (const std::exception& e) {
        throw CheckpointError(name + ": " + kUnexpected + e.what());
    }
}

} // namespace resnest::io
