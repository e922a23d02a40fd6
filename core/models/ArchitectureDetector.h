#pragma once

#include "core/io/TensorMap.h"
#include "core/models/ResNeStConfig.h"

#include <string>
#include <vector>

namespace resnest {

struct DetectedArchitecture {
    ResNeStConfig config;                // the chosen registry entry, or a custom config read off the tensors
    std::vector<std::string> candidates; // registry names whose weight layout matches the tensors
    bool custom = false;                 // no registry entry matches: the config comes from the shapes alone
    bool ambiguous = false;              // candidates differ in ways the weights cannot show (avd placement)
    std::string prefix;                  // wrapper prefix in front of the backbone keys
};

// Reads a ResNeSt's hyper-parameters off its state dict: stage depths, stem, radix, cardinality, widths,
// class count. What no tensor records (where the avd pool sits) comes from the registry, a name hint
// (the file name of a released checkpoint starts with its architecture) or the user's --arch.
class ArchitectureDetector {
public:
    static DetectedArchitecture detect(const io::TensorMap& tensors, const std::string& nameHint = "");
};

} // namespace resnest
