#pragma once

#include <string>

namespace resnest {

// What a model does; detection from a checkpoint's keys is in ModelTaskDetector.
enum class ModelTask { Classify, Segment, Detect };

// "classify", "segment", "detect": the names of --task and of the JSON outputs.
inline std::string taskName(ModelTask task) {
    switch (task) {
    case ModelTask::Segment:
        return "segment";
    case ModelTask::Detect:
        return "detect";
    case ModelTask::Classify:
        break;
    }
    return "classify";
}

} // namespace resnest
