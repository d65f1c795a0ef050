#pragma once
// Whether a run follows the main track (configs/safety.json), the protocol the paper's and the
// reference implementation's figures were measured under; a report shows them beside a run only
// when it does.
#include <string>
#include <vector>

#include "experiment/config.h"

namespace vrev::experiment {

// The main track's config, as built in.
Config main_track_config();

// The settings of cfg that change what a run measures and differ from the main track, each as
// "key = value (main track: value)", in key order. Not compared, because they leave the measured
// quantities alone or only choose how many of them there are: kernels, reproduce (seeds, arms,
// controls), logging, checkpointing, evaluation steps, micro-shards, the nulls' draw counts and
// seed, and the phases the safety world never trains.
std::vector<std::string> main_track_differences(const Config& cfg);

}  // namespace vrev::experiment
