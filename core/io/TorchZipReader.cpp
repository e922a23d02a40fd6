#include "core/io/TorchZipReader.h"

#include "core/io/CheckpointError.h"
#include "core/io/PickleReader.h"
#include "core/io/StateDictFinder.h"
#include "core/io/ZipArchive.h"

namespace resnest::io {

Checkpoint TorchZipReader::read(const std::uint8_t* data, std::size_t size, const std::string& name) {
    const ZipArchive zip(data, size, name);
    // The top folder is named after the file at save time (or "archive"), so find it via data.pkl.
    const ZipArchive::Entry* pickle = nullptr;
    for (const auto& entry : zip.entries()) {
        const std::size_t slash = entry.name.find('/');
        if (slash != std::string::npos && slash > 0 &&
            entry.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
            pickle = &entry;
            break;
        }
    }
    if (!pickle)
        throw CheckpointError(name + ": zip archive without data.pkl; not a torch.save checkpoint");
    const std::string folder = pickle->name.substr(0, pickle->name.find('/') + 1);
    if (const auto* order = zip.find(folder + "byteorder")) {
        const auto bytes = zip.read(*order);
        if (std::string(bytes.begin(), bytes.end()) != "little")
            throw CheckpointError(name + ": saved on a big-endian machine, which is not supported");
    }

    const std::vector<std::uint8_t> pkl = zip.read(*pickle);
    PickleReader reader(pkl.data(), pkl.size(), name + " (" + pickle->name + ")");
    const PickleValue& root = reader.load();
    auto load = [&](const std::string& key, c10::ScalarType dtype, std::int64_t numel) {
        const ZipArchive::Entry* entry = zip.find(folder + "data/" + key);
        if (!entry)
            throw CheckpointError(name + ": storage '" + key + "' is missing from the archive");
        const std::uint64_t itemSize = c10::elementSize(dtype);
        if (entry->size / itemSize != static_cast<std::uint64_t>(numel) || entry->size % itemSize != 0)
            throw CheckpointError(name + ": storage '" + key + "' has " + std::to_string(entry->size) +
                                  " bytes, expected " + std::to_string(numel) + " elements of " +
                                  std::to_string(itemSize) + " bytes");
        torch::Tensor storage = torch::empty({numel}, torch::dtype(dtype));
        zip.extract(*entry, static_cast<std::uint8_t*>(storage.data_ptr()));
        return storage;
    };
    return StateDictFinder::find(root, CheckpointFormat::TorchZip, load, name);
}

} // namespace resnest::io
