#pragma once

namespace resnest {

// What a model does; names and detection from a checkpoint are in ModelTaskDetector.
enum class ModelTask { Classify, Segment, Detect };

} // namespace resnest
