#include "core/detection/AnchorGenerator.h"
