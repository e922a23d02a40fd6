#include "core/segmentation/SegmentationCheckpointLayout.h"
