#pragma once
// The units of a `vrev reproduce` run, numbered in the order one process runs them, in three
// stages with a barrier between each (a stage needs the one before):
//   1. chains: every seed's history, its probe references and v_rev (and the other-init and
//      other-object teachers);
//   2. fine-tunes: every seed's control runs (replicas 0, 1, ...), then its arms;
//   3. geometries: every arm's geometry and nulls, which read the seed's control runs.
// Unit k runs on rank k % ranks, so each rank's share is fixed by the config and the rank count,
// and a rerun on any number of ranks skips what is done.
#include <vector>

#include "core/communicator.h"

namespace vrev::experiment {

enum class Stage { chains, fine_tunes, geometries };

struct UnitPlan {
  int seeds = 0, controls = 0, arms = 0;

  int runs_per_seed() const { return controls + arms; }
  int first(Stage stage) const {
    switch (stage) {
      case Stage::chains: return 0;
      case Stage::fine_tunes: return seeds;
      case Stage::geometries: return seeds + seeds * runs_per_seed();
    }
    return 0;
  }
  int count(Stage stage) const {
    switch (stage) {
      case Stage::chains: return seeds;
      case Stage::fine_tunes: return seeds * runs_per_seed();
      case Stage::geometries: return seeds * arms;
    }
    return 0;
  }
  int total() const { return first(Stage::geometries) + count(Stage::geometries); }

  // A stage's units that this rank runs.
  std::vector<int> units(Stage stage, const comm::Communicator& ranks) const {
    std::vector<int> mine;
    for (int k = first(stage); k < first(stage) + count(stage); ++k)
      if (k % ranks.size() == ranks.rank()) mine.push_back(k);
    return mine;
  }
  // How many units of the whole run this rank runs.
  int units_of(const comm::Communicator& ranks) const { return (total() - ranks.rank() + ranks.size() - 1) / ranks.size(); }

  // A fine-tuning unit: its seed and run (run < controls: control replica `run`; else arm run - controls).
  struct FineTune {
    int seed, run;
  };
  FineTune fine_tune(int unit) const {
    const int k = unit - first(Stage::fine_tunes);
    return {k / runs_per_seed(), k % runs_per_seed()};
  }
  // A geometry unit: its seed and arm index.
  struct Geometry {
    int seed, arm;
  };
  Geometry geometry(int unit) const {
    const int k = unit - first(Stage::geometries);
    return {k / arms, k % arms};
  }
};

}  // namespace vrev::experiment
