#include "core/api/ResourceLocator.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace resnest {

std::string ResourceLocator::find(const std::string& relativePath) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<fs::path> roots;
    if (const char* env = std::getenv("RESNEST_RESOURCES"))
        roots.emplace_back(env);
    // share/resnest-inspector beside an ancestor of the executable: /usr/bin/x finds /usr/share/..., a
    // package unpacked anywhere finds its own, and a build tree finds the link CMake puts at its top to the
    // sources' resources/ (tests and tools sit a few folders deep there). Nothing absolute is compiled in.
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
            roots.push_back(dir / "share" / "resnest-inspector");
            if (dir == dir.root_path())
                break;
        }
    for (const auto& root : roots) {
        const fs::path p = root / relativePath;
        if (fs::exists(p, ec))
            return p.string();
    }
    throw std::runtime_error(
        "bundled resource '" + relativePath +
        "' not found beside the program (set RESNEST_RESOURCES to the resources folder)");
}

} // namespace resnest
