// libFuzzer target for NpyReader::readBuffer; only CheckpointError may escape.
#include "core/io/CheckpointError.h"
#include "core/io/NpyReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        resnest::io::NpyReader::readBuffer(data, size, "fuzz.npy");
    } catch (const resnest::io::CheckpointError&) {
    }
    return 0;
}
