// resnest-cli: the core without a GUI, for batch work, export and benchmarks. Each command lives in its own
// <Name>Command.cpp (Commands.h); this lists them in the order of the usage text.
#include "app/cli/Commands.h"
#include "app/cli/ModelOptions.h"
#include "core/pipeline/HeapPolicy.h"
#include "core/pipeline/OpenMpWaitPolicy.h"

#include <vector>

using namespace resnest::cli;

int main(int argc, char** argv) {
    resnest::OpenMpWaitPolicy::ensureChosen(argv);
    resnest::HeapPolicy::keepFreedMemory();
    // Without OpenCV (RESNEST_WITH_OPENCV=OFF) the commands that read or write images are left out, and so
    // is their usage.
    const std::vector<CommandDispatcher::Entry> commands = {
        infoCommand(),
#if RESNEST_HAVE_OPENCV
        classifyCommand(),
        segmentCommand(),
        detectCommand(),
        renderVideoCommand(),
#endif
        exportCommand(),
        benchCommand(),
#if RESNEST_HAVE_OPENCV
        attentionStatsCommand(),
        mergeStatsCommand(),
#endif
        archsCommand(),
        zooCommand(),
    };
    return CommandDispatcher::run(argc, argv, "usage: resnest-cli COMMAND [options]\n\ncommands:\n", commands,
                                  ModelOptions::usage());
}
