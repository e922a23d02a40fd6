#pragma once

#include "core/demo/SceneComposer.h"

#include <cstdint>
#include <string>

namespace resnest::demo {

// The app's first-start samples, made from held-out digits over held-out photos and a real video:
//   digits-scene-{1,2,3}.jpg        640x480 scenes, 4-8 digits 40-120 px tall (JPEG quality 90)
//   digits-scene-{1,2,3}.json       {"width", "height", "boxes": [[x1, y1, x2, y2], ...], "labels": [...]}
//   digits-scene-{1,2,3}-mask.png   8-bit class mask, 0 background, 1 + d on digit d
//   digits-video.avi                640x480, 10 fps, 8 s: digits drifting over opencv-doc's vtest.avi
// Deterministic for a seed (up to the video encoder). Each file is written under a temporary name and
// renamed into place. Throws std::runtime_error naming what failed.
class SampleMedia {
public:
    static void write(const std::string& directory, uint64_t seed);
    // The stills' scenes: 640x480, 4-8 digits 40-120 px tall. Scoring a model on more of them tells how it
    // does at the size the samples (and the live video) show digits.
    static SceneOptions stillOptions();
};

} // namespace resnest::demo
