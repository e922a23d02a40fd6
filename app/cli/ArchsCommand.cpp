#include "app/cli/Commands.h"
#include "core/models/ResNeStConfig.h"

#include <iostream>

namespace resnest::cli {
namespace {

const char* const kUsage = R"(  archs
      the known architectures
)";

int run(const std::vector<std::string>&) {
    for (const auto& n : ResNeStConfig::knownNames())
        std::cout << n << "\n";
    return 0;
}

} // namespace

CommandDispatcher::Entry archsCommand() {
    return {"archs", kUsage, run, ""};
}

} // namespace resnest::cli
