#include "core/io/PickleReader.h"

#include "core/io/DType.h"

#include <charconv>
#include <cstdio>
#include <cstring>

namespace resnest::io {
namespace {

bool mulOverflow(std::int64_t a, std::int64_t b, std::int64_t* out) {
    return __builtin_mul_overflow(a, b, out);
}
bool addOverflow(std::int64_t a, std::int64_t b, std::int64_t* out) {
    return __builtin_add_overflow(a, b, out);
}

bool isIntTuple(const PickleValue* v) {
    if (!v->is(PickleValue::Kind::Tuple) && !v->is(PickleValue::Kind::List))
        return false;
    for (const PickleValue* item : v->items)
        if (!item->is(PickleValue::Kind::Int))
            return false;
    return true;
}

} // namespace

PickleReader::PickleReader(const std::uint8_t* data, std::size_t size, std::string name)
    : in_(data, size, std::move(name)) {}

void PickleReader::fail(const std::string& what) const {
    in_.failAt(opcodeAt_, "invalid pickle: " + what);
}

PickleValue* PickleReader::make(Kind kind) {
    if (arena_.size() >= kMaxValues)
        fail("more than " + std::to_string(kMaxValues) + " values");
    arena_.emplace_back();
    arena_.back().kind = kind;
    return &arena_.back();
}

PickleValue* PickleReader::makeInt(std::int64_t v) {
    PickleValue* p = make(Kind::Int);
    p->integer = v;
    return p;
}

PickleValue* PickleReader::makeString(Kind kind, std::uint64_t length) {
    if (length > in_.remaining())
        fail("string of " + std::to_string(length) + " bytes runs past the end of the data");
    PickleValue* p = make(kind);
    p->text = in_.str(length);
    return p;
}

void PickleReader::push(PickleValue* v) {
    stack_.push_back(v);
}

PickleValue* PickleReader::pop() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back()))
        fail("stack underflow");
    PickleValue* v = stack_.back();
    stack_.pop_back();
    return v;
}

PickleValue* PickleReader::top() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back()))
        fail("stack underflow");
    return stack_.back();
}

std::vector<PickleValue*> PickleReader::popMark() {
    if (marks_.empty())
        fail("no MARK on the stack");
    std::vector<PickleValue*> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()),
                                    stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
}

PickleValue* PickleReader::fromItems(Kind kind, std::vector<PickleValue*> items) {
    PickleValue* v = make(kind);
    v->items.assign(items.begin(), items.end());
    return v;
}

std::string PickleReader::line() {
    const std::uint8_t* begin = in_.data() + in_.pos();
    const void* nl = std::memchr(begin, '\n', in_.remaining());
    if (!nl)
        fail("unterminated text argument");
    std::string s = in_.str(static_cast<const std::uint8_t*>(nl) - begin);
    in_.take(1);
    return s;
}

std::int64_t PickleReader::lineInt() {
    std::string s = line();
    if (!s.empty() && s.back() == 'L') // protocol 0 longs
        s.pop_back();
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
        fail("bad integer '" + s.substr(0, 32) + "'");
    return v;
}

void PickleReader::memoPut(std::uint64_t index) {
    memo_[index] = top();
}

PickleValue* PickleReader::memoGet(std::uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end())
        fail("memo entry " + std::to_string(index) + " is not defined");
    return it->second;
}

void PickleReader::setItems(PickleValue* dict, const std::vector<PickleValue*>& kv) {
    if (kv.size() % 2 != 0)
        fail("odd number of items for SETITEMS");
    if (dict->is(Kind::Dict))
        dict->items.insert(dict->items.end(), kv.begin(), kv.end());
    else if (!dict->is(Kind::Object)) // an opaque object may have __setitem__; we cannot know
        fail("SETITEM on a " + dict->typeName());
}

void PickleReader::appendItems(PickleValue* list, const std::vector<PickleValue*>& values) {
    if (list->is(Kind::List) || list->is(Kind::Set))
        list->items.insert(list->items.end(), values.begin(), values.end());
    else if (!list->is(Kind::Object))
        fail("APPEND on a " + list->typeName());
}

PickleValue* PickleReader::persistentLoad(const PickleValue* pid) {
    // torch.save writes ('storage', torch.FloatStorage, key, location, numel) in zip files and
    // ('storage', torch.FloatStorage, root_key, location, root_numel, view_metadata) in legacy files.
    const auto& t = pid->items;
    if (!pid->is(Kind::Tuple) || (t.size() != 5 && t.size() != 6) || !t[0]->isString("storage") ||
        !t[1]->is(Kind::Global) || !t[2]->is(Kind::String) || !t[4]->is(Kind::Int) || t[4]->integer < 0)
        fail("unsupported persistent id (not a torch storage reference)");
    std::string type = t[1]->text;
    for (const char* prefix : {"torch.cuda.", "torch."})
        if (type.rfind(prefix, 0) == 0) {
            type = type.substr(std::strlen(prefix));
            break;
        }
    auto dtype =
        type == "UntypedStorage" ? DType::fromScalarType(c10::ScalarType::Byte) : DType::fromStorage(type);
    if (!dtype)
        fail("unsupported storage type " + t[1]->text);

    const std::string& key = t[2]->text;
    const std::int64_t rootNumel = t[4]->integer;
    auto known = storages_.find(key);
    if (known != storages_.end() &&
        (known->second->dtype != dtype->type || known->second->rootNumel != rootNumel))
        fail("storage '" + key + "' is declared twice with different types or sizes");

    PickleValue* s = make(Kind::Storage);
    s->text = key;
    s->dtype = dtype->type;
    s->rootNumel = rootNumel;
    s->integer = rootNumel;
    if (t.size() == 6 && !t[5]->is(Kind::None)) {
        const auto& view = t[5]->items;
        if (!t[5]->is(Kind::Tuple) || view.size() != 3 || !view[1]->is(Kind::Int) || !view[2]->is(Kind::Int))
            fail("malformed storage view metadata");
        std::int64_t end = 0;
        if (view[1]->integer < 0 || view[2]->integer < 0 ||
            addOverflow(view[1]->integer, view[2]->integer, &end) || end > rootNumel)
            fail("storage view of '" + key + "' lies outside its storage");
        s->storageOffset = view[1]->integer;
        s->integer = view[2]->integer;
    }
    if (known == storages_.end())
        storages_.emplace(key, s);
    return s;
}

PickleValue* PickleReader::rebuildTensor(const PickleValue* args) {
    const auto& a = args->items;
    if (!args->is(Kind::Tuple) || a.size() < 4 || !a[0]->is(Kind::Storage) || !a[1]->is(Kind::Int) ||
        !isIntTuple(a[2]) || !isIntTuple(a[3]) || a[2]->items.size() != a[3]->items.size() ||
        a[2]->items.size() > kMaxDims)
        fail("malformed tensor (expected storage, offset, size, stride)");
    const PickleValue* storage = a[0];
    PickleValue* t = make(Kind::Tensor);
    t->storage = storage;
    t->dtype = storage->dtype;
    t->integer = a[1]->integer;
    bool empty = false;
    std::int64_t last = t->integer, numel = 1;
    bool ok = t->integer >= 0;
    for (std::size_t i = 0; ok && i < a[2]->items.size(); ++i) {
        const std::int64_t size = a[2]->items[i]->integer, stride = a[3]->items[i]->integer;
        t->sizes.push_back(size);
        t->strides.push_back(stride);
        std::int64_t span = 0;
        ok = size >= 0 && stride >= 0 && !mulOverflow(numel, size, &numel);
        empty = empty || size == 0;
        if (ok && size > 0)
            ok = !mulOverflow(size - 1, stride, &span) && !addOverflow(last, span, &last);
    }
    // The whole strided extent must lie inside the storage, or as_strided would read outside it.
    if (!ok || (!empty && last >= storage->integer) || (empty && t->integer > storage->integer))
        fail("tensor shape/stride/offset reaches outside its storage '" + storage->text + "' of " +
             std::to_string(storage->integer) + " elements");
    return t;
}

PickleValue* PickleReader::call(const PickleValue* callable, const PickleValue* args, int depth) {
    const std::string name = callable->is(Kind::Global) ? callable->text : std::string();
    if (name == "collections.OrderedDict" || name == "builtins.dict")
        return make(Kind::Dict);
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
        return rebuildTensor(args);
    if ((name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") &&
        args->is(Kind::Tuple) && !args->items.empty() && args->items[0]->is(Kind::Tensor))
        return const_cast<PickleValue*>(args->items[0]);
    // Tensor subclasses: (func, type, func_args, state); the plain tensor underneath is what we want.
    if (name == "torch._tensor._rebuild_from_type_v2" && depth < 2 && args->is(Kind::Tuple) &&
        args->items.size() >= 3) {
        PickleValue* inner = call(args->items[0], args->items[2], depth + 1);
        if (inner->is(Kind::Tensor))
            return inner;
    }
    PickleValue* object = make(Kind::Object);
    object->text = name.empty() ? "<" + callable->typeName() + ">" : name;
    object->items = {callable, args};
    return object;
}

const PickleValue& PickleReader::load(std::size_t offset) {
    in_.seek(offset);
    stack_.clear();
    marks_.clear();
    memo_.clear();
    for (;;) {
        opcodeAt_ = in_.pos();
        if (in_.remaining() == 0)
            fail("data ends before the STOP opcode");
        const std::uint8_t op = in_.u8();
        switch (op) {
        case 0x80: { // PROTO
            const int proto = in_.u8();
            if (proto > 5)
                fail("unsupported pickle protocol " + std::to_string(proto));
            break;
        }
        case 0x95:
            in_.u64();
            break;  // FRAME: framing is only a read-ahead hint
        case '.': { // STOP
            if (stack_.empty())
                fail("STOP with an empty stack");
            return *stack_.back();
        }
        case '(':
            if (marks_.size() >= kMaxMarks)
                fail("MARKs nested too deeply");
            marks_.push_back(stack_.size());
            break;
        case '0':
            pop();
            break;
        case '1':
            popMark();
            break;
        case '2':
            push(top());
            break;
        case 'N':
            push(make(Kind::None));
            break;
        case 0x88:
        case 0x89: {
            PickleValue* b = make(Kind::Bool);
            b->boolean = op == 0x88;
            push(b);
            break;
        }
        case 'I': { // INT, text; "01"/"00" are protocol 0's True/False
            const std::int64_t v = lineInt();
            push(makeInt(v));
            break;
        }
        case 'L':
            push(makeInt(lineInt()));
            break;
        case 'J':
            push(makeInt(static_cast<std::int32_t>(in_.u32())));
            break;
        case 'K':
            push(makeInt(in_.u8()));
            break;
        case 'M':
            push(makeInt(in_.u16()));
            break;
        case 0x8a:
        case 0x8b: { // LONG1 / LONG4: little-endian two's complement
            const std::uint64_t n = op == 0x8a ? in_.u8() : in_.u32();
            const std::uint8_t* p = in_.take(n);
            if (n > 8) {
                PickleValue* big = make(Kind::BigInt);
                big->text.assign(reinterpret_cast<const char*>(p), n);
                push(big);
                break;
            }
            std::uint64_t v = n ? ByteCursor::le(p, static_cast<int>(n)) : 0;
            if (n > 0 && n < 8 && (p[n - 1] & 0x80))
                v |= ~std::uint64_t{0} << (8 * n);
            push(makeInt(static_cast<std::int64_t>(v)));
            break;
        }
        case 'F': {
            const std::string s = line();
            PickleValue* f = make(Kind::Float);
            f->real = std::strtod(s.c_str(), nullptr);
            push(f);
            break;
        }
        case 'G': { // BINFLOAT is big-endian
            const std::uint8_t* p = in_.take(8);
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i)
                bits = (bits << 8) | p[i];
            PickleValue* f = make(Kind::Float);
            std::memcpy(&f->real, &bits, sizeof bits);
            push(f);
            break;
        }
        case 'X':
            push(makeString(Kind::String, in_.u32()));
            break;
        case 0x8c:
            push(makeString(Kind::String, in_.u8()));
            break;
        case 0x8d:
            push(makeString(Kind::String, in_.u64()));
            break;
        case 'T':
            push(makeString(Kind::Bytes, in_.u32()));
            break; // BINSTRING: py2 str
        case 'U':
            push(makeString(Kind::Bytes, in_.u8()));
            break;
        case 'B':
            push(makeString(Kind::Bytes, in_.u32()));
            break;
        case 'C':
            push(makeString(Kind::Bytes, in_.u8()));
            break;
        case 0x8e:
        case 0x96:
            push(makeString(Kind::Bytes, in_.u64()));
            break;
        case ')':
            push(make(Kind::Tuple));
            break;
        case ']':
            push(make(Kind::List));
            break;
        case '}':
            push(make(Kind::Dict));
            break;
        case 0x8f:
            push(make(Kind::Set));
            break;
        case 't':
            push(fromItems(Kind::Tuple, popMark()));
            break;
        case 'l':
            push(fromItems(Kind::List, popMark()));
            break;
        case 0x91:
            push(fromItems(Kind::Set, popMark()));
            break;
        case 'd': {
            PickleValue* d = make(Kind::Dict);
            setItems(d, popMark());
            push(d);
            break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {
            std::vector<PickleValue*> items(op - 0x84);
            for (auto it = items.rbegin(); it != items.rend(); ++it)
                *it = pop();
            push(fromItems(Kind::Tuple, std::move(items)));
            break;
        }
        case 'a': {
            PickleValue* v = pop();
            appendItems(top(), {v});
            break;
        }
        case 'e':
        case 0x90: {
            std::vector<PickleValue*> values = popMark();
            appendItems(top(), values);
            break;
        }
        case 's': {
            PickleValue* v = pop();
            PickleValue* k = pop();
            setItems(top(), {k, v});
            break;
        }
        case 'u': {
            std::vector<PickleValue*> kv = popMark();
            setItems(top(), kv);
            break;
        }
        case 'p':
            memoPut(static_cast<std::uint64_t>(lineInt()));
            break;
        case 'q':
            memoPut(in_.u8());
            break;
        case 'r':
            memoPut(in_.u32());
            break;
        case 0x94:
            memoPut(memo_.size());
            break;
        case 'g':
            push(memoGet(static_cast<std::uint64_t>(lineInt())));
            break;
        case 'h':
            push(memoGet(in_.u8()));
            break;
        case 'j':
            push(memoGet(in_.u32()));
            break;
        case 'c': { // GLOBAL "module\nname\n"
            PickleValue* g = make(Kind::Global);
            g->text = line();
            g->text += "." + line();
            push(g);
            break;
        }
        case 0x93: { // STACK_GLOBAL
            PickleValue* name = pop();
            PickleValue* module = pop();
            if (!module->is(Kind::String) || !name->is(Kind::String))
                fail("STACK_GLOBAL needs two strings");
            PickleValue* g = make(Kind::Global);
            g->text = module->text + "." + name->text;
            push(g);
            break;
        }
        case 'R':
        case 0x81: { // REDUCE / NEWOBJ: callable(*args), interpreted symbolically
            PickleValue* args = pop();
            PickleValue* callable = pop();
            push(call(callable, args));
            break;
        }
        case 0x92: { // NEWOBJ_EX
            pop();   // kwargs
            PickleValue* args = pop();
            PickleValue* cls = pop();
            push(call(cls, args));
            break;
        }
        case 'b': { // BUILD: keep the state of opaque objects; torch's OrderedDict _metadata is not needed
            PickleValue* state = pop();
            PickleValue* object = top();
            if (object->is(Kind::Object)) {
                object->items.resize(2);
                object->items.push_back(state);
            }
            break;
        }
        case 'Q':
            push(persistentLoad(pop()));
            break;
        case 'P':
            fail("text persistent ids are not torch storages");
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", op);
            fail(std::string("unknown or unsupported opcode ") + hex);
        }
        }
    }
}

} // namespace resnest::io
