#pragma once

#include "core/api/Prediction.h"
#include "ui/runtime/ModelSummary.h"

#include <QMetaType>
#include <QString>
#include <memory>

namespace resnest {

// An image and what the model made of it. Shared read-only between the threads: once emitted, nobody
// writes to it.
struct FrameResult {
    quint64 jobId = 0; // still jobs: the request's id; live frames: the frame index
    bool live = false; // from a video, camera or stream
    QString source;    // file path, or the video's name
    cv::Mat image;     // BGR, as decoded
    Prediction prediction;
    // With attention overrides in force: the same frame without them, for the before / after comparison.
    std::shared_ptr<const Prediction> baseline;
    ModelSummaryPtr model; // the model that made it (labels, task)
    double decodeMs = 0.0;
    qint64 capturedNs = 0; // steady clock at decode, for latency
};

using FrameResultPtr = std::shared_ptr<const FrameResult>;

} // namespace resnest

Q_DECLARE_METATYPE(resnest::FrameResultPtr)
