#pragma once
// The probe section: where activations are read, how v_rev is estimated, how many null draws.
#include <string>

#include "core/settings.h"
#include "probe/capture.h"
#include "probe/nulls.h"

namespace vrev::probe {

struct ProbeConfig {
  std::string site = "last";         // an activation site, or "last": the last block's resid_post
  Position position = Position::Asst;
  Estimator estimator = Estimator::DiffMeans;
  int anisotropic_draws = 2000;
  ShuffleNull shuffle = ShuffleNull::Balanced;
  int shuffle_draws = 1000;
  int64_t null_seed = 12345;

  template <class V>
  void visit(V& v) {
    v(site, "site", "activation site: embed, blocks.i.resid_mid, blocks.i.resid_post, ln_f or last (the last block's resid_post)");
    v(position, "position", "token position (answer: SURE, the first answer token)");
    v(estimator, "estimator", "v_rev estimator");
    v(anisotropic_draws, "anisotropic_draws", "draws of the anisotropic null", 10, 1e7);
    v(shuffle, "shuffle", "label-shuffle null: balanced (relabelled groups, half P and half A: tests the drift's direction) or sign-flip (per-prompt pairs: tests only for a consistent shift)");
    v(shuffle_draws, "shuffle_draws", "draws of the label-shuffle null", 10, 1e7);
    v(null_seed, "null_seed", "seed of the nulls' random draws (each run seed and step draws its own)", 0, 1e18);
  }
  // The site's index for a model of `layers` blocks.
  int site_index(int layers) const;
  // The settings a fine-tuning run's own outputs depend on (where its captures are read and the
  // direction a blocked arm removes): a run's identity holds these and not the nulls' settings, so
  // a change of null leaves every trained run in place.
  settings::Json run_identity() const;
};

}  // namespace vrev::probe
