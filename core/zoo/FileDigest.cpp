#include "core/zoo/FileDigest.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <openssl/evp.h>
#include <stdexcept>
#include <vector>

namespace resnest {

namespace {

using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string hex(const unsigned char* digest, unsigned length) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

std::string digestFile(const std::string& path, const EVP_MD* md) {
    std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f)
        throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
    Context ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
        throw std::runtime_error("cannot start a digest");
    std::vector<unsigned char> buffer(1 << 20);
    size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f.get())) > 0)
        EVP_DigestUpdate(ctx.get(), buffer.data(), n);
    if (std::ferror(f.get()))
        throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    return hex(digest, length);
}

} // namespace

std::string FileDigest::sha256(const std::string& path) {
    return digestFile(path, EVP_sha256());
}

std::string FileDigest::sha1(const std::string& path) {
    return digestFile(path, EVP_sha1());
}

std::string FileDigest::sha256Of(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    return hex(digest, length);
}

} // namespace resnest
