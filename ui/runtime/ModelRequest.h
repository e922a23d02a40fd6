#pragma once

#include "core/api/PredictOptions.h"

#include <QMetaType>
#include <QString>

namespace resnest {

struct ModelSpec;

// What the model panel asks for. Empty weights with an architecture: random weights (for trying the tool
// without a checkpoint); empty task: from the checkpoint.
struct ModelRequest {
    QString weights;
    QString arch;
    QString task;                           // "", "classify", "segment", "detect"
    QString device = QStringLiteral("cpu"); // "cpu", "cuda", "cuda:N"
    QString precision = QStringLiteral("float32");
    // Segmentation input: shorter side in pixels, 0 = the image's own size, kModelShortSide = the model's
    // (its card's).
    int shortSide = PredictOptions::kModelShortSide;
    int threads = 0; // 0 = every core

    // The core's spec; throws std::invalid_argument for an unknown precision or a device this build or
    // machine cannot use.
    ModelSpec spec() const;
    bool operator==(const ModelRequest& o) const {
        return weights == o.weights && arch == o.arch && task == o.task && device == o.device &&
               precision == o.precision && shortSide == o.shortSide && threads == o.threads;
    }
    bool operator!=(const ModelRequest& o) const { return !(*this == o); }
};

} // namespace resnest

Q_DECLARE_METATYPE(resnest::ModelRequest)
