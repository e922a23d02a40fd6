#pragma once

#include <string>

namespace resnest {

// Finds bundled files (class names, demo models, sample media): $RESNEST_RESOURCES, then
// share/resnest-inspector beside the executable's folder or one of its ancestors, so one build runs from the
// build tree, from /usr, or from a folder a package was unpacked into.
class ResourceLocator {
public:
    static std::string find(const std::string& relativePath);
};

} // namespace resnest
