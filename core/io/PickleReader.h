#pragma once

#include "core/io/ByteCursor.h"
#include "core/io/PickleValue.h"

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace resnest::io {

// A pickle virtual machine (protocols 0-5 opcodes as written by torch.save) that never imports or
// calls anything: it only builds a PickleValue graph. A few callables are understood because a
// checkpoint cannot be read without them (OrderedDict, torch's tensor/parameter rebuild functions and
// storage persistent ids); every other call becomes an opaque Object node.
class PickleReader {
public:
    // Hard caps so hostile input cannot exhaust memory; far above what real checkpoints need.
    static constexpr std::size_t kMaxValues = std::size_t{1} << 21;
    static constexpr std::size_t kMaxMarks = 4096;
    static constexpr std::size_t kMaxDims = 64;

    PickleReader(const std::uint8_t* data, std::size_t size, std::string name);

    // Runs one pickle starting at `offset` until its STOP opcode. The returned graph stays valid for
    // the lifetime of the reader, also across further load() calls (legacy files hold several pickles).
    const PickleValue& load(std::size_t offset = 0);
    // Offset just after the STOP opcode of the last load().
    std::size_t end() const { return in_.pos(); }
    // The storage a persistent id declared under `key` in any load() so far, or nullptr.
    const PickleValue* storage(const std::string& key) const {
        auto it = storages_.find(key);
        return it == storages_.end() ? nullptr : it->second;
    }

private:
    using Kind = PickleValue::Kind;

    PickleValue* make(Kind kind);
    PickleValue* makeInt(std::int64_t v);
    PickleValue* makeString(Kind kind, std::uint64_t length);
    void push(PickleValue* v);
    PickleValue* pop();
    PickleValue* top();
    std::vector<PickleValue*> popMark();
    PickleValue* fromItems(Kind kind, std::vector<PickleValue*> items);
    std::string line();
    std::int64_t lineInt();
    void memoPut(std::uint64_t index);
    PickleValue* memoGet(std::uint64_t index);
    void setItems(PickleValue* dict, const std::vector<PickleValue*>& kv);
    void appendItems(PickleValue* list, const std::vector<PickleValue*>& values);
    PickleValue* call(const PickleValue* callable, const PickleValue* args, int depth = 0);
    PickleValue* rebuildTensor(const PickleValue* args);
    PickleValue* persistentLoad(const PickleValue* pid);
    [[noreturn]] void fail(const std::string& what) const;

    ByteCursor in_;
    std::size_t opcodeAt_ = 0;
    std::deque<PickleValue> arena_;
    std::vector<PickleValue*> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, PickleValue*> memo_;
    std::map<std::string, PickleValue*> storages_;
};

} // namespace resnest::io
