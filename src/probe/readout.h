#pragma once
// The readout direction: where, in the residual stream, the model reads its decision. At each site
// r = d(logit(up) - logit(down)) / d(activation at the probe position), averaged over a probe set
// (the safety world: SURE over SORRY at ASST, over harm_probe, at the aligned model). If the drift
// along v_rev were only the decision being re-taught, v_rev would add nothing over r
// (docs/mechanism.md): the report gives cos(v_rev, r) per site, the drift's alignment with r and
// with v_rev once r is projected out, and the block-readout arm blocks r.
#include <cstdint>
#include <vector>

#include "model/gpt.h"
#include "model/prompt_set.h"

namespace vrev::probe {

// One direction (C) per site, in site order. The model's parameter gradients are left at zero.
std::vector<std::vector<double>> readout_directions(model::Gpt<float>& model, const model::PromptSet& prompts,
                                                    int32_t up, int32_t down);

// cos(drift, v) after the component along r is projected out of both.
double cosine_without(const std::vector<double>& drift, const std::vector<double>& v, const std::vector<double>& r);

}  // namespace vrev::probe
