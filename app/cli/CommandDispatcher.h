#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace resnest::cli {

// The `tool COMMAND [args]` shape both executables share: usage on -h / --help / help (exit 0) or no
// arguments (exit 2), an unknown command named with the usage (exit 2), and any exception a command throws
// printed as one "error: ..." line without LibTorch's backtrace (exit 1), so bad input never aborts.
class CommandDispatcher {
public:
    using Command = std::function<int(const std::vector<std::string>& rest)>;

    static int run(int argc, char** argv, const char* usage, const std::map<std::string, Command>& commands);
};

} // namespace resnest::cli
