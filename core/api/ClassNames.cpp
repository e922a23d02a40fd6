#include "core/api/ClassNames.h"

#include "core/api/ResourceLocator.h"

#include <fstream>
#include <stdexcept>

namespace resnest {

std::vector<std::string> ClassNames::readFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read class names from '" + path + "'");
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            names.push_back(line);
    return names;
}

std::vector<std::string> ClassNames::forClassifier(int numClasses) {
    if (numClasses == 1000)
        return readFile(ResourceLocator::find("imagenet_classes.txt"));
    std::vector<std::string> names;
    for (int i = 0; i < numClasses; ++i)
        names.push_back("class " + std::to_string(i));
    return names;
}

} // namespace resnest
