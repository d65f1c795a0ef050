// Compiled as part of the world layer (tests/layering/check_include_roots.sh): train sits below
// world, so its header is found (the control of the upward case).
#include "train/batch.h"
