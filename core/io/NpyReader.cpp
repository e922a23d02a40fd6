#include "core/io/NpyReader.h"

#include "core/io/ByteCursor.h"
#include "core/io/DType.h"
#include "core/io/FileBuffer.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace resnest::io {
namespace {

// The header is a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
// This parses exactly the subset numpy writes.
struct HeaderParser {
    const std::string& s;
    const ByteCursor& in;
    std::size_t i = 0;

    [[noreturn]] void fail(const std::string& what) const { in.fail("invalid .npy header: " + what); }
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t'))
            ++i;
    }
    bool accept(char c) {
        ws();
        if (i < s.size() && s[i] == c)
            return ++i, true;
        return false;
    }
    void expect(char c) {
        if (!accept(c))
            fail(std::string("expected '") + c + "' at position " + std::to_string(i));
    }
    std::string quoted() {
        ws();
        if (i >= s.size() || (s[i] != '\'' && s[i] != '"'))
            fail("expected a string at position " + std::to_string(i));
        const char quote = s[i++];
        const std::size_t end = s.find(quote, i);
        if (end == std::string::npos)
            fail("unterminated string");
        std::string v = s.substr(i, end - i);
        i = end + 1;
        return v;
    }
    bool boolean() {
        ws();
        for (const char* word : {"True", "False"})
            if (s.compare(i, std::strlen(word), word) == 0)
                return i += std::strlen(word), word[0] == 'T';
        fail("expected True or False");
    }
    std::vector<std::int64_t> shape() {
        expect('(');
        std::vector<std::int64_t> dims;
        while (!accept(')')) {
            ws();
            std::int64_t d = 0;
            const std::size_t start = i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9' && d <= (std::int64_t{1} << 50))
                d = d * 10 + (s[i++] - '0');
            if (i == start || d > (std::int64_t{1} << 50) || dims.size() >= 64)
                fail("bad shape");
            dims.push_back(d);
            if (!accept(',')) {
                expect(')');
                break;
            }
        }
        return dims;
    }
};

} // namespace

torch::Tensor NpyReader::read(const std::string& path) {
    const std::vector<std::uint8_t> bytes = FileBuffer::read(path);
    return readBuffer(bytes.data(), bytes.size(), path);
}

torch::Tensor NpyReader::readBuffer(const std::uint8_t* data, std::size_t size, const std::string& name) {
    ByteCursor in(data, size, name);
    if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0)
        in.fail("not a .npy file (bad magic)");
    in.take(6);
    const int major = in.u8();
    in.u8();
    if (major < 1 || major > 3)
        in.fail("unsupported .npy format version " + std::to_string(major));
    const std::uint32_t headerSize = major == 1 ? in.u16() : in.u32();
    const std::string header = in.str(headerSize);

    HeaderParser p{header, in};
    std::string descr;
    bool fortran = false, haveDescr = false, haveOrder = false, haveShape = false;
    std::vector<std::int64_t> shape;
    p.expect('{');
    while (!p.accept('}')) {
        const std::string key = p.quoted();
        p.expect(':');
        if (key == "descr")
            descr = p.quoted(), haveDescr = true;
        else if (key == "fortran_order")
            fortran = p.boolean(), haveOrder = true;
        else if (key == "shape")
            shape = p.shape(), haveShape = true;
        else
            p.fail("unexpected key '" + key + "'");
        if (!p.accept(',')) {
            p.expect('}');
            break;
        }
    }
    if (!haveDescr || !haveOrder || !haveShape)
        p.fail("needs descr, fortran_order and shape");
    const auto dtype = DType::fromNumpy(descr);
    if (!dtype)
        in.fail("unsupported dtype '" + descr + "' (little-endian float, int, uint8 and bool are supported)");

    std::uint64_t bytes = static_cast<std::uint64_t>(dtype->itemSize), nonZero = 1;
    for (std::int64_t d : shape)
        if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(d), &bytes) ||
            __builtin_mul_overflow(nonZero, static_cast<std::uint64_t>(d ? d : 1), &nonZero) ||
            nonZero > (std::uint64_t{1} << 62))
            in.fail("shape is too large");
    if (bytes != in.remaining())
        in.fail("data has " + std::to_string(in.remaining()) + " bytes, but shape and dtype need " +
                std::to_string(bytes));

    try {
        // Fortran order is C order of the reversed shape, transposed back.
        std::vector<std::int64_t> stored(shape);
        if (fortran)
            std::reverse(stored.begin(), stored.end());
        torch::Tensor t = torch::empty(stored, torch::dtype(dtype->type));
        std::copy(data + in.pos(), data + size, static_cast<std::uint8_t*>(t.data_ptr()));
        if (dtype->type == c10::ScalarType::Bool)
            t = t.view(c10::ScalarType::Byte).ne(0);
        if (fortran && t.dim() > 1) {
            std::vector<std::int64_t> order(t.dim());
            for (std::size_t k = 0; k < order.size(); ++k)
                order[k] = static_cast<std::int64_t>(order.size() - 1 - k);
            t = t.permute(order).contiguous();
        }
        return t;
    } catch (const std::bad_alloc&) {
        in.fail("not enough memory for the array");
    } catch (const std::exception& e) {
        in.fail(e.what());
    }
}

} // namespace resnest::io
