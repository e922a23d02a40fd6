#include "app/cli/CommandDispatcher.h"

#include <c10/util/Exception.h>
#include <iostream>
#include <new>
#include <string>

namespace resnest::cli {
namespace {

// A message is one line on a terminal and in a log, whatever library composed it.
std::string oneLine(std::string text) {
    std::string out;
    bool space = false;
    for (const char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

} // namespace

int CommandDispatcher::run(int argc, char** argv, const char* usage,
                           const std::map<std::string, Command>& commands) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "--version" || args[0] == "version")) {
        const std::string program = argv[0];
        std::cout << program.substr(program.find_last_of('/') + 1) << " " << RESNEST_VERSION << "\n";
        return 0;
    }
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
        std::cerr << "error: " << oneLine(e.what_without_backtrace()) << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << oneLine(e.what()) << "\n";
        return 1;
    }
}

int CommandDispatcher::run(int argc, char** argv, const std::string& header,
                           const std::vector<Entry>& commands, const std::string& footer) {
    std::string usage = header, notes;
    std::map<std::string, Command> table;
    for (const Entry& c : commands) {
        usage += c.usage;
        notes += c.notes;
        table.emplace(c.name, c.run);
    }
    usage += footer + notes;
    return run(argc, argv, usage.c_str(), table);
}

} // namespace resnest::cli
