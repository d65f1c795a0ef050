#pragma once
// The first fine-tuning update, taken apart. From the history's last checkpoint, one step as the
// plain arm takes it (the config's finetune settings, the seed's first batch); then, for each
// group of parameters, the model with only that group's share of the update, its drift at the
// probe site and position, and how much of that drift lies along v_rev. The drift is linear in
// the update to first order, so the groups' projections add up to about the whole step's.
//
// Why: AdamW's first step is nearly a sign step (m-hat = g and v-hat = g^2, so each coordinate
// with |g| >> eps moves by the full learning rate, however small its gradient). The embedding rows
// of tokens absent from the batch get gradient only through the tied head and are the first
// suspects; they are a group of their own.
#include <string>
#include <vector>

#include "core/settings.h"
#include "experiment/config.h"
#include "world/world.h"

namespace vrev::experiment {

struct UpdateGroup {
  std::string name;            // e.g. "blocks.0.attn", "wte: tokens absent from the batch"
  size_t parameters = 0;
  double update_share = 0;     // |update of the group|^2 / |update|^2
  double full_step_share = 0;  // share of its coordinates that moved by at least half the learning rate
  double along_v_rev = 0;      // (its drift . unit v_rev) / |the whole step's drift|
  double alignment = 0;        // cos(its drift, v_rev)
};

struct FirstUpdate {
  double learning_rate = 0;    // of the first step
  double alignment = 0;        // cos(the whole step's drift, v_rev): the plain arm's alignment at step 1
  double groups_along_v_rev = 0;  // the sum of the groups' along_v_rev (first order: = alignment)
  std::vector<UpdateGroup> groups;
};

// reference_dir and last_dir: the checkpoints v_rev points between (safety: pretrain, align).
FirstUpdate first_update(const Config& cfg, const world::World& world, const std::string& reference_dir,
                         const std::string& last_dir);
settings::Json to_json(const FirstUpdate& u);

}  // namespace vrev::experiment
