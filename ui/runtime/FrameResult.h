#pragma once

#include "core/inference/ClassificationResult.h"

#include <QMetaType>
#include <QString>

#include <memory>

namespace resnest {

// An image and what the model made of it. Shared read-only between the worker and the GUI: once
// emitted, nobody writes to it.
struct FrameResult {
    quint64 jobId = 0;
    QString source;
    cv::Mat image; // BGR, as decoded
    ClassificationResult classification;
};

using FrameResultPtr = std::shared_ptr<const FrameResult>;

} // namespace resnest

Q_DECLARE_METATYPE(resnest::FrameResultPtr)
