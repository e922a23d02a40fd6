#include "ui/runtime/ModelRequest.h"

#include "core/api/ModelSpec.h"
#include "core/pipeline/Devices.h"

namespace resnest {

ModelSpec ModelRequest::spec() const {
    ModelSpec s;
    s.arch = arch.toStdString();
    s.weights = weights.toStdString();
    s.task = task.toStdString();
    s.compute.device = device.toStdString();
    s.compute.precision = ComputeOptions::parsePrecision(precision.toStdString());
    s.compute.threads = threads;
    Devices::check(s.compute);
    return s;
}

} // namespace resnest
