#pragma once

#include <string>
#include <vector>

namespace resnest {

class ClassNames {
public:
    // ImageNet-1k names for 1000-way classifiers; "class N" otherwise.
    static std::vector<std::string> forClassifier(int numClasses);
    static std::vector<std::string> readFile(const std::string& path);
};

} // namespace resnest
