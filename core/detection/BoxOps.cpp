#include "core/detection/BoxOps.h"
