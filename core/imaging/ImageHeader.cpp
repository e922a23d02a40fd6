#include "core/imaging/ImageHeader.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace resnest {
namespace {

// Reads at given offsets of the file; a read past the end gives an empty answer, never garbage.
class Reader {
public:
    explicit Reader(const std::string& path) : in_(path, std::ios::binary) {
        if (!in_)
            throw std::runtime_error("cannot open image '" + path + "'");
    }
    bool bytes(std::uint64_t at, std::size_t n, std::uint8_t* out) {
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(at));
        in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
        return static_cast<std::size_t>(in_.gcount()) == n;
    }
    std::optional<std::uint64_t> be(std::uint64_t at, int n) { return number(at, n, true); }
    std::optional<std::uint64_t> le(std::uint64_t at, int n) { return number(at, n, false); }

private:
    std::optional<std::uint64_t> number(std::uint64_t at, int n, bool bigEndian) {
        std::uint8_t b[8];
        if (!bytes(at, static_cast<std::size_t>(n), b))
            return std::nullopt;
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v = bigEndian ? (v << 8) | b[i] : v | (std::uint64_t{b[i]} << (8 * i));
        return v;
    }
    std::ifstream in_;
};

using Size = ImageHeader::Size;

std::optional<Size> both(std::optional<std::uint64_t> w, std::optional<std::uint64_t> h) {
    if (!w || !h)
        return std::nullopt;
    return Size{*w, *h};
}

std::optional<Size> jpeg(Reader& r) {
    std::uint64_t at = 2;
    // Markers until a start-of-frame; APPn segments (EXIF thumbnails) are skipped by their lengths.
    for (int segments = 0; segments < 100000; ++segments) {
        const auto marker = r.be(at, 2);
        if (!marker || (*marker >> 8) != 0xff)
            return std::nullopt;
        const unsigned code = *marker & 0xff;
        if (code == 0xff) { // fill byte
            at += 1;
            continue;
        }
        if (code == 0x01 || (code >= 0xd0 && code <= 0xd8)) {
            at += 2;
            continue;
        }
        const auto length = r.be(at + 2, 2);
        if (!length || *length < 2)
            return std::nullopt;
        if (code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xc8 && code != 0xcc)
            return both(r.be(at + 7, 2), r.be(at + 5, 2));
        at += 2 + *length;
    }
    return std::nullopt;
}

std::optional<Size> webp(Reader& r) {
    std::uint8_t chunk[4];
    if (!r.bytes(12, 4, chunk))
        return std::nullopt;
    if (std::memcmp(chunk, "VP8X", 4) == 0) {
        const auto w = r.le(24, 3), h = r.le(27, 3);
        return both(w ? std::optional<std::uint64_t>(*w + 1) : std::nullopt,
                    h ? std::optional<std::uint64_t>(*h + 1) : std::nullopt);
    }
    if (std::memcmp(chunk, "VP8L", 4) == 0) {
        const auto bits = r.le(21, 4);
        if (!bits)
            return std::nullopt;
        return Size{(*bits & 0x3fff) + 1, ((*bits >> 14) & 0x3fff) + 1};
    }
    if (std::memcmp(chunk, "VP8 ", 4) == 0) {
        const auto w = r.le(26, 2), h = r.le(28, 2);
        return both(w ? std::optional<std::uint64_t>(*w & 0x3fff) : std::nullopt,
                    h ? std::optional<std::uint64_t>(*h & 0x3fff) : std::nullopt);
    }
    return std::nullopt;
}

std::optional<Size> tiff(Reader& r, bool bigEndian) {
    auto num = [&](std::uint64_t at, int n) { return bigEndian ? r.be(at, n) : r.le(at, n); };
    const auto ifd = num(4, 4);
    if (!ifd)
        return std::nullopt;
    const auto count = num(*ifd, 2);
    if (!count)
        return std::nullopt;
    std::optional<std::uint64_t> w, h;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const std::uint64_t entry = *ifd + 2 + 12 * i;
        const auto tag = num(entry, 2), type = num(entry + 2, 2);
        if (!tag || !type)
            return std::nullopt;
        if (*tag != 256 && *tag != 257)
            continue;
        // SHORT values sit in the first two bytes of the value field, LONG in all four.
        const auto value = *type == 3 ? num(entry + 8, 2) : num(entry + 8, 4);
        (*tag == 256 ? w : h) = value;
    }
    return both(w, h);
}

std::optional<Size> jpeg2000Codestream(Reader& r, std::uint64_t at) {
    // SIZ follows SOC: image extent minus image offset.
    const auto xs = r.be(at + 8, 4), ys = r.be(at + 12, 4), xo = r.be(at + 16, 4), yo = r.be(at + 20, 4);
    if (!xs || !ys || !xo || !yo || *xo > *xs || *yo > *ys)
        return std::nullopt;
    return Size{*xs - *xo, *ys - *yo};
}

std::optional<Size> jp2(Reader& r) {
    // Boxes: length, type; the header box "jp2h" holds "ihdr" (height, width).
    std::uint64_t at = 0;
    for (int boxes = 0; boxes < 1000; ++boxes) {
        const auto length = r.be(at, 4);
        std::uint8_t type[4];
        if (!length || !r.bytes(at + 4, 4, type))
            return std::nullopt;
        if (std::memcmp(type, "jp2h", 4) == 0) {
            at += 8;
            continue; // descend: ihdr is its first child
        }
        if (std::memcmp(type, "ihdr", 4) == 0)
            return both(r.be(at + 12, 4), r.be(at + 8, 4));
        if (*length < 8)
            return std::nullopt;
        at += *length;
    }
    return std::nullopt;
}

// PNM (P1-P7) and PFM (PF, Pf): ASCII tokens after the magic, '#' comments allowed.
std::optional<Size> netpbm(Reader& r) {
    std::uint8_t text[512];
    std::size_t n = 0;
    while (n < sizeof text && r.bytes(n, 1, text + n))
        ++n;
    std::vector<std::uint64_t> numbers;
    std::size_t i = 2;
    if (text[1] == '7') {
        // PAM: "WIDTH w" and "HEIGHT h" lines.
        const std::string s(reinterpret_cast<const char*>(text), n);
        const auto w = s.find("WIDTH "), h = s.find("HEIGHT ");
        if (w == std::string::npos || h == std::string::npos)
            return std::nullopt;
        return Size{std::strtoull(s.c_str() + w + 6, nullptr, 10), std::strtoull(s.c_str() + h + 7, nullptr, 10)};
    }
    while (i < n && numbers.size() < 2) {
        if (text[i] == '#') {
            while (i < n && text[i] != '\n')
                ++i;
        } else if (std::isdigit(text[i])) {
            std::uint64_t v = 0;
            while (i < n && std::isdigit(text[i]) && v < (std::uint64_t{1} << 40))
                v = v * 10 + (text[i++] - '0');
            numbers.push_back(v);
            continue;
        } else if (!std::isspace(text[i])) {
            return std::nullopt;
        }
        ++i;
    }
    if (numbers.size() < 2)
        return std::nullopt;
    return Size{numbers[0], numbers[1]};
}

std::optional<Size> radiance(Reader& r) {
    // Header lines end with an empty line; the next line is "-Y h +X w" (or another orientation).
    std::string text;
    std::uint8_t c;
    for (std::uint64_t at = 0; at < 65536 && r.bytes(at, 1, &c); ++at) {
        text += static_cast<char>(c);
        const auto blank = text.find("\n\n");
        if (blank != std::string::npos && text.find('\n', blank + 2) != std::string::npos) {
            char a[3], b[3];
            unsigned long long first = 0, second = 0;
            if (std::sscanf(text.c_str() + blank + 2, "%2s %llu %2s %llu", a, &first, b, &second) != 4)
                return std::nullopt;
            return a[1] == 'Y' ? Size{second, first} : Size{first, second};
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<Size> ImageHeader::read(const std::string& path) {
    Reader r(path);
    std::uint8_t m[12] = {};
    if (!r.bytes(0, 4, m))
        return std::nullopt;
    r.bytes(0, 12, m);
    if (std::memcmp(m, "\x89PNG", 4) == 0)
        return both(r.be(16, 4), r.be(20, 4));
    if (m[0] == 0xff && m[1] == 0xd8)
        return jpeg(r);
    if (m[0] == 'B' && m[1] == 'M') {
        const auto headerSize = r.le(14, 4);
        if (headerSize && *headerSize == 12)
            return both(r.le(18, 2), r.le(20, 2));
        const auto w = r.le(18, 4), h = r.le(22, 4);
        if (!w || !h)
            return std::nullopt;
        // Signed 32-bit; a negative height means top-down rows.
        const auto magnitude = [](std::uint64_t v) {
            const auto s = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
            return static_cast<std::uint64_t>(s < 0 ? -static_cast<std::int64_t>(s) : s);
        };
        return Size{magnitude(*w), magnitude(*h)};
    }
    if (std::memcmp(m, "RIFF", 4) == 0 && std::memcmp(m + 8, "WEBP", 4) == 0)
        return webp(r);
    if (std::memcmp(m, "II*\0", 4) == 0)
        return tiff(r, false);
    if (std::memcmp(m, "MM\0*", 4) == 0)
        return tiff(r, true);
    if (std::memcmp(m, "\0\0\0\x0cjP  ", 8) == 0)
        return jp2(r);
    if (m[0] == 0xff && m[1] == 0x4f && m[2] == 0xff && m[3] == 0x51)
        return jpeg2000Codestream(r, 2);
    if (m[0] == 'P' && ((m[1] >= '1' && m[1] <= '7') || m[1] == 'F' || m[1] == 'f'))
        return netpbm(r);
    if (m[0] == 0x59 && m[1] == 0xa6 && m[2] == 0x6a && m[3] == 0x95)
        return both(r.be(4, 4), r.be(8, 4));
    if (m[0] == '#' && m[1] == '?')
        return radiance(r);
    return std::nullopt;
}

std::uint64_t ImageHeader::maxPixels() {
    if (const char* text = std::getenv("RESNEST_MAX_IMAGE_PIXELS")) {
        char* end = nullptr;
        const unsigned long long v = std::strtoull(text, &end, 10);
        if (end != text && *end == '\0' && v > 0)
            return v;
    }
    return kDefaultMaxPixels;
}

bool ImageHeader::overLimit(const Size& size) {
    const std::uint64_t limit = maxPixels();
    return size.width > limit || size.height > limit || size.width * size.height > limit;
}

} // namespace resnest
