#include "core/zoo/ZooHome.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace resnest {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::filesystem::path cacheHome() {
    if (const std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty())
        return xdg;
    const std::string home = env("HOME");
    if (home.empty())
        throw std::runtime_error(
            "neither RESNEST_HOME, XDG_CACHE_HOME nor HOME is set: no folder for the model zoo");
    return std::filesystem::path(home) / ".cache";
}

} // namespace

std::string ZooHome::root() {
    if (const std::string home = env("RESNEST_HOME"); !home.empty())
        return home;
    return (cacheHome() / "resnest-inspector").string();
}

std::string ZooHome::checkpoints() {
    return (std::filesystem::path(root()) / "checkpoints").string();
}

std::string ZooHome::torchHubCheckpoints() {
    if (const std::string torch = env("TORCH_HOME"); !torch.empty())
        return (std::filesystem::path(torch) / "hub" / "checkpoints").string();
    return (cacheHome() / "torch" / "hub" / "checkpoints").string();
}

bool ZooHome::offline() {
    const std::string v = env("RESNEST_OFFLINE");
    return !v.empty() && v != "0";
}

} // namespace resnest
