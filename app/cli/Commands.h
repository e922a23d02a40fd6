#pragma once

#include "app/cli/CommandDispatcher.h"

namespace resnest::cli {

// The commands of resnest-cli, each in its own <Name>Command.cpp with its usage paragraph; main lists them in
// the order of the usage text. Functions rather than static registrations: no reliance on initialisation
// order for that order, and nothing a linker could drop.
CommandDispatcher::Entry infoCommand();
#if RESNEST_HAVE_OPENCV
// Commands that read or write images (OpenCV).
CommandDispatcher::Entry classifyCommand();
CommandDispatcher::Entry segmentCommand();
CommandDispatcher::Entry detectCommand();
CommandDispatcher::Entry renderVideoCommand();
CommandDispatcher::Entry attentionStatsCommand();
CommandDispatcher::Entry mergeStatsCommand();
#endif
CommandDispatcher::Entry exportCommand();
CommandDispatcher::Entry benchCommand();
CommandDispatcher::Entry archsCommand();
CommandDispatcher::Entry zooCommand();

} // namespace resnest::cli
