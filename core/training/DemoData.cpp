#include "core/training/DemoData.h"

namespace resnest::training {

DemoData::DemoData(const std::string& digitsPath, const std::string& backgroundsDir)
    : sheet_(std::make_unique<demo::DigitSheet>(
          demo::DigitSheet::load(digitsPath.empty() ? demo::DigitSheet::defaultPath() : digitsPath))),
      backgrounds_(std::make_unique<demo::BackgroundPool>(demo::BackgroundPool::load(
          backgroundsDir.empty() ? demo::BackgroundPool::defaultDirectory() : backgroundsDir))),
      train_(std::make_unique<demo::SceneComposer>(*sheet_, *backgrounds_, demo::Split::Train)),
      heldOut_(std::make_unique<demo::SceneComposer>(*sheet_, *backgrounds_, demo::Split::HeldOut)) {}

} // namespace resnest::training
