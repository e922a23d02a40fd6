#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace resnest::cli {

// The `tool COMMAND [args]` shape both executables share: usage on -h / --help / help (exit 0) or no
// arguments (exit 2), "tool VERSION" on --version / version (exit 0), an unknown command named with the usage
// (exit 2), and any exception a command throws printed as one "error: ..." line without LibTorch's backtrace
// (exit 1), so bad input never aborts.
class CommandDispatcher {
public:
    using Command = std::function<int(const std::vector<std::string>& rest)>;

    // A command that brings its own part of the usage text, so that the text lists what this build has.
    struct Entry {
        std::string name;
        std::string usage; // its paragraph under "commands:"
        Command run;
        std::string notes; // a paragraph after the option sections, "" for none
    };

    static int run(int argc, char** argv, const char* usage, const std::map<std::string, Command>& commands);
    // The usage is `header`, the commands' paragraphs in the given order, `footer`, then their notes.
    static int run(int argc, char** argv, const std::string& header, const std::vector<Entry>& commands,
                   const std::string& footer);
};

} // namespace resnest::cli
