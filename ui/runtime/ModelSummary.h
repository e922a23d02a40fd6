#pragma once

#include "core/api/DatasetLabels.h"
#include "core/api/ModelInfo.h"
#include "core/api/ModelTask.h"
#include "ui/runtime/ModelRequest.h"

#include <QMetaType>
#include <QString>
#include <memory>
#include <string>
#include <vector>

namespace resnest {

// A loaded model as the GUI sees it: plain data, immutable once emitted.
struct ModelSummary {
    ModelTask task = ModelTask::Classify;
    ModelInfo info;
    DatasetLabels labels = DatasetLabels::generic(0);
    QString description; // one line for the window
    QString device;
    QString precision;
    bool randomWeights = false;
    double loadMs = 0.0;
    ModelRequest request;            // what it was loaded from: what the window saves and shows as running
    std::vector<std::string> blocks; // the network's split-attention blocks, "layerI.J"
};

using ModelSummaryPtr = std::shared_ptr<const ModelSummary>;

} // namespace resnest

Q_DECLARE_METATYPE(resnest::ModelSummaryPtr)
