#include "core/io/TorchLegacyReader.h"

#include "core/io/ByteCursor.h"
#include "core/io/PickleReader.h"
#include "core/io/StateDictFinder.h"

#include <algorithm>
#include <map>

namespace resnest::io {
namespace {

// pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2): PROTO 2, LONG1 of 10 bytes, then the number.
constexpr std::uint8_t kMagicPickle[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                         0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};
constexpr std::int64_t kProtocolVersion = 1001;

} // namespace

bool TorchLegacyReader::sniff(const std::uint8_t* data, std::size_t size) {
    return size >= sizeof kMagicPickle && std::equal(kMagicPickle, kMagicPickle + sizeof kMagicPickle, data);
}

Checkpoint TorchLegacyReader::read(const std::uint8_t* data, std::size_t size, const std::string& name) {
    if (!sniff(data, size))
        throw CheckpointError(name + ": missing the torch.save magic number");
    PickleReader reader(data, size, name);
    reader.load(0);
    const PickleValue& protocol = reader.load(reader.end());
    if (!protocol.is(PickleValue::Kind::Int) || protocol.integer != kProtocolVersion)
        throw CheckpointError(name + ": unsupported legacy torch.save protocol version");
    const PickleValue& sysInfo = reader.load(reader.end());
    for (std::size_t i = 0; i + 1 < sysInfo.items.size() && sysInfo.is(PickleValue::Kind::Dict); i += 2)
        if (sysInfo.items[i]->isString("little_endian") &&
            sysInfo.items[i + 1]->is(PickleValue::Kind::Bool) && !sysInfo.items[i + 1]->boolean)
            throw CheckpointError(name + ": saved on a big-endian machine, which is not supported");
    const PickleValue& root = reader.load(reader.end());
    const PickleValue& keys = reader.load(reader.end());
    if (!keys.is(PickleValue::Kind::List))
        throw CheckpointError(name + ": storage key list is missing or malformed");

    // Storages follow back to back, each as an 8-byte element count and the raw little-endian data.
    ByteCursor in(data, size, name);
    in.seek(reader.end());
    std::map<std::string, const std::uint8_t*> bytes;
    for (const PickleValue* key : keys.items) {
        const PickleValue* storage = key->is(PickleValue::Kind::String) ? reader.storage(key->text) : nullptr;
        if (!storage)
            throw CheckpointError(name + ": storage list names a storage the pickle never declared");
        const std::size_t at = in.pos();
        const std::uint64_t numel = in.u64();
        if (numel != static_cast<std::uint64_t>(storage->rootNumel))
            in.failAt(at, "storage '" + key->text + "' holds " + std::to_string(numel) +
                              " elements, expected " + std::to_string(storage->rootNumel));
        const std::uint64_t itemSize = c10::elementSize(storage->dtype);
        if (numel > in.remaining() / itemSize)
            in.failAt(at, "storage '" + key->text + "' runs past the end of the file (truncated?)");
        bytes[key->text] = in.take(numel * itemSize);
    }

    auto load = [&](const std::string& key, c10::ScalarType dtype, std::int64_t numel) {
        auto it = bytes.find(key);
        if (it == bytes.end())
            throw CheckpointError(name + ": storage '" + key + "' has no data");
        torch::Tensor storage = torch::empty({numel}, torch::dtype(dtype));
        std::copy(it->second, it->second + numel * c10::elementSize(dtype),
                  static_cast<std::uint8_t*>(storage.data_ptr()));
        return storage;
    };
    return StateDictFinder::find(root, CheckpointFormat::TorchLegacy, load, name);
}

} // namespace resnest::io
