// libFuzzer target: arbitrary bytes through the checkpoint entry point. Built three times (fuzz_safetensors,
// fuzz_torch_zip, fuzz_torch_legacy): the seed corpus of each decides which parser is exercised; any crash, sanitizer report or unanticipated exception is a finding.
#include "core/io/CheckpointError.h"
#include "core/io/CheckpointReader.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace resnest::io;
    try {
        CheckpointReader::readBuffer(data, size, "fuzz");
    } catch (const CheckpointError& e) {
        // A prefix test: messages may quote file content, which the fuzzer can make look like the marker.
        if (std::string(e.what()).rfind(std::string("fuzz: ") + CheckpointReader::kUnexpected, 0) == 0)
            std::abort();
    }
    return 0;
}
