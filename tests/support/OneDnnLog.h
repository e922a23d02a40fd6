#pragma once

#include <cstdio>
#include <dlfcn.h>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <torch/torch.h>
#include <unistd.h>

namespace resnest::test {

// What oneDNN's verbose mode prints while a piece of code runs: which primitives (convolutions, reorders) a
// plan really executes, per call.
class OneDnnLog {
public:
    // The lines printed while `run` runs, or nothing where this LibTorch's oneDNN cannot be asked (a build
    // that links it statically without exporting its API).
    static std::optional<std::string> capture(const std::function<void()>& run) {
        using SetVerbose = int (*)(int);
        const auto setVerbose = reinterpret_cast<SetVerbose>(dlsym(RTLD_DEFAULT, "dnnl_set_verbose"));
        if (setVerbose == nullptr)
            return std::nullopt;
        std::fflush(stdout);
        char path[] = "/tmp/resnest-onednn-log-XXXXXX";
        const int file = mkstemp(path);
        if (file < 0)
            return std::nullopt;
        const int saved = dup(STDOUT_FILENO);
        dup2(file, STDOUT_FILENO);
        const bool verbose = setVerbose(1) == 0;
        run();
        std::fflush(stdout);
        setVerbose(0);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        close(file);
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        std::remove(path);
        if (!verbose)
            return std::nullopt;
        return text.str();
    }

    // Whether oneDNN's log can be read here: a reorder into oneDNN's own layout always logs a line.
    static bool available() {
        const auto log = capture([] { torch::ones({1, 8, 4, 4}).to_mkldnn(); });
        return log && count(*log, ",reorder,") > 0;
    }

    // Executed primitives whose line contains `what` (",convolution,", ",reorder,"; "," for all of them).
    static int count(const std::string& log, const std::string& what) {
        std::istringstream lines(log);
        int n = 0;
        for (std::string line; std::getline(lines, line);)
            n += line.find(",exec,") != std::string::npos && line.find(what) != std::string::npos;
        return n;
    }
};

} // namespace resnest::test
