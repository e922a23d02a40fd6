#pragma once

#include "core/demo/BackgroundPool.h"
#include "core/demo/DigitSheet.h"
#include "core/demo/SceneComposer.h"

#include <memory>
#include <string>

namespace resnest::training {

// The digit sheet, the photos and a composer per split, kept together because composers hold references.
class DemoData {
public:
    // Empty paths: opencv-doc's digits.png and sample photos. Throws std::runtime_error naming what is
    // missing.
    DemoData(const std::string& digitsPath = {}, const std::string& backgroundsDir = {});

    const demo::SceneComposer& composer(demo::Split split) const {
        return split == demo::Split::Train ? *train_ : *heldOut_;
    }

private:
    std::unique_ptr<demo::DigitSheet> sheet_;
    std::unique_ptr<demo::BackgroundPool> backgrounds_;
    std::unique_ptr<demo::SceneComposer> train_, heldOut_;
};

} // namespace resnest::training
