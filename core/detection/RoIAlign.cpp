#include "core/detection/RoIAlign.h"
