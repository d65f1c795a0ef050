// Compiled as part of the world layer (tests/layering/check_include_roots.sh): the experiment
// layer sits above world, so its header must not be found.
#include "experiment/config.h"
