#pragma once

#include <string>

namespace resnest {

// Where the model zoo keeps its files, read from the environment each time (tests and users change it).
class ZooHome {
public:
    // $RESNEST_HOME, else $XDG_CACHE_HOME/resnest-inspector, else ~/.cache/resnest-inspector.
    static std::string root();
    // root()/checkpoints: downloaded and imported checkpoints, under their upstream file names.
    static std::string checkpoints();
    // torch.hub's cache, whose files are used where they lie when their hash matches:
    // $TORCH_HOME/hub/checkpoints, else $XDG_CACHE_HOME/torch/hub/checkpoints, else
    // ~/.cache/torch/hub/checkpoints.
    static std::string torchHubCheckpoints();
    // RESNEST_OFFLINE=1 (or any value but 0 / empty): no network access at all.
    static bool offline();
};

} // namespace resnest
