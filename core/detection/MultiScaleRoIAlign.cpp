#include "core/detection/MultiScaleRoIAlign.h"
