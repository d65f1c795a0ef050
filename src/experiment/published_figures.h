#pragma once
// The figures vrev is compared with, in one place: the 2026 paper's headline figures and those of
// an independent reference implementation of the safety world. Both belong to the safety world's
// main track (configs/safety.json); summary.json carries them as "paper" and "reference", and the
// report and the verdicts read them from there.
#include <string>

#include "core/settings.h"

namespace vrev::experiment {

// Fractions in [0, 1] as {"mean", "sd"}; counts and words as strings.
settings::Json paper_figures();
// 3 seeds, T = 100; per arm where the figure has arms.
settings::Json reference_figures();

// The paper's figure of `quantity` for `arm`, from paper_figures() as summary.json carries it
// (null when the paper gives none, or `paper` is null): alignment_step_1 and alignment_step_20 for
// the plain arm; alignment_final and harmfulness for the plain arm and block-vrev.
const settings::Json& paper_figure_of_arm(const settings::Json& paper, const std::string& quantity,
                                          const std::string& arm);

}  // namespace vrev::experiment
