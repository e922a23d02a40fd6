#include "core/detection/Nms.h"
