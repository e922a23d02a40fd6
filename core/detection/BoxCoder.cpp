#include "core/detection/BoxCoder.h"
