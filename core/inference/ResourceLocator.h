#pragma once

#include <string>

namespace resnest {

// Finds bundled files (class names, demo models, sample media): $RESNEST_RESOURCES, then the install
// location next to the executable, then the source tree the binary was built from.
class ResourceLocator {
public:
    static std::string find(const std::string& relativePath);
};

} // namespace resnest
