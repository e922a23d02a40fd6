#include "core/detection/DetectionCheckpointLayout.h"
