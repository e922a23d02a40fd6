#include "app/cli/CommandDispatcher.h"

#include <c10/util/Exception.h>
#include <iostream>

namespace resnest::cli {

int CommandDispatcher::run(int argc, char** argv, const char* usage,
                           const std::map<std::string, Command>& commands) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
        std::cout << usage;
        return args.empty() ? 2 : 0;
    }
    const auto command = commands.find(args[0]);
    if (command == commands.end()) {
        std::cerr << "unknown command '" << args[0] << "'\n" << usage;
        return 2;
    }
    try {
        return command->second(std::vector<std::string>(args.begin() + 1, args.end()));
    } catch (const c10::Error& e) {
        std::cerr << "error: " << e.what_without_backtrace() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}

} // namespace resnest::cli
