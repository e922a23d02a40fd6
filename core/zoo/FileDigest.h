#pragma once

#include <string>

namespace resnest {

// Hashes of whole files through OpenSSL's EVP digests (lower-case hex). Throws std::runtime_error naming the
// file when it cannot be read.
class FileDigest {
public:
    static std::string sha256(const std::string& path);
    static std::string sha1(const std::string& path);
    // Of a byte string (tests, small data).
    static std::string sha256Of(const std::string& bytes);
};

} // namespace resnest
