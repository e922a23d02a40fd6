#pragma once

#include "core/io/NpyReader.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// Shared helpers for the io tests: fixture paths, raw file bytes and a tiny pickle assembler.
namespace resnest::io::test {

inline std::string fixture(const std::string& name) {
    return std::string(RESNEST_IO_FIXTURES) + "/" + name;
}

inline std::vector<std::uint8_t> bytesOf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline const nlohmann::json& manifest() {
    static const nlohmann::json m = nlohmann::json::parse(std::ifstream(fixture("manifest.json")));
    return m;
}

inline const nlohmann::json* manifestCase(const std::string& file) {
    for (const auto& c : manifest()["cases"])
        if (c["file"] == file)
            return &c;
    return nullptr;
}

// Assembles protocol-2 pickles byte by byte, for inputs no Python pickler would write.
class PickleBuilder {
public:
    PickleBuilder& raw(const std::string& bytes) {
        out_ += bytes;
        return *this;
    }
    PickleBuilder& op(char c) {
        out_ += c;
        return *this;
    }
    PickleBuilder& proto() { return raw("\x80\x02"); }
    PickleBuilder& str(const std::string& s) {
        op('X');
        le(s.size(), 4);
        return raw(s);
    }
    PickleBuilder& integer(std::int64_t v) {
        out_ += '\x8a';
        out_ += '\x08';
        le(static_cast<std::uint64_t>(v), 8);
        return *this;
    }
    PickleBuilder& global(const std::string& module, const std::string& name) {
        return raw("c" + module + "\n" + name + "\n");
    }
    PickleBuilder& intTuple(const std::vector<std::int64_t>& values) {
        op('(');
        for (auto v : values)
            integer(v);
        return op('t');
    }
    // ('storage', torch.<type>, key, 'cpu', numel) as a persistent id.
    PickleBuilder& storage(const std::string& key, std::int64_t numel,
                           const std::string& type = "FloatStorage") {
        op('(').str("storage").global("torch", type).str(key).str("cpu").integer(numel);
        return op('t').op('Q');
    }
    PickleBuilder& tensor(const std::string& key, std::int64_t numel, std::int64_t offset,
                          const std::vector<std::int64_t>& size, const std::vector<std::int64_t>& stride) {
        global("torch._utils", "_rebuild_tensor_v2").op('(').storage(key, numel).integer(offset);
        intTuple(size).intTuple(stride).op('\x89').op('N').op('t');
        return op('R');
    }
    std::string done() { return out_ + "."; }
    void le(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i)
            out_ += static_cast<char>((v >> (8 * i)) & 0xff);
    }

private:
    std::string out_;
};

// A legacy torch.save file around a custom main pickle and raw storage section.
inline std::vector<std::uint8_t> legacyFile(const std::string& mainPickle, const std::string& keysPickle,
                                            const std::string& storageData) {
    std::string s("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
    s += PickleBuilder().proto().raw("M\xe9\x03").done();
    s += PickleBuilder().proto().op('}').done();
    s += mainPickle + keysPickle + storageData;
    return {s.begin(), s.end()};
}

} // namespace resnest::io::test
