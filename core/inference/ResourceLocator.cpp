#include "core/inference/ResourceLocator.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace resnest {

std::string ResourceLocator::find(const std::string& relativePath) {
    namespace fs = std::filesystem;
    std::vector<fs::path> roots;
    if (const char* env = std::getenv("RESNEST_RESOURCES"))
        roots.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        roots.push_back(exe.parent_path().parent_path() / "share" / "resnest-inspector");
    roots.emplace_back(RESNEST_RESOURCE_DIR);
    for (const auto& root : roots) {
        const fs::path p = root / relativePath;
        if (fs::exists(p, ec))
            return p.string();
    }
    throw std::runtime_error("bundled resource '" + relativePath + "' not found (set RESNEST_RESOURCES)");
}

} // namespace resnest
