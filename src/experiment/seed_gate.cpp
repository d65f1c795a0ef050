// Which seeds pass the pretraining gate.
#include "experiment/seed_gate.h"

#include <algorithm>
#include <cstdio>

namespace vrev::experiment {

GateOutcome apply_gate(const Config& cfg, const world::World& world, const SeedResults& results) {
  const std::string metric = world.metric_roles().task.front();
  char rule[160];
  std::snprintf(rule, sizeof rule, "%s >= %g at the end of %s", metric.c_str(), cfg.reproduce.gate,
                world::phase_name(world.history().front()));
  GateOutcome gate;
  gate.rule = rule;
  for (const SeedResult& r : results) {
    const double value = r.history.front()[metric].get<double>();
    if (value >= cfg.reproduce.gate) {
      gate.passed.push_back(r.seed);
    } else {
      gate.failed.push_back(r.seed);
      gate.failed_values.push_back(value);
    }
  }
  return gate;
}

SeedResults headline_seeds(const SeedResults& results, const GateOutcome& gate) {
  if (gate.passed.empty()) return results;
  SeedResults passing;
  for (const SeedResult& r : results)
    if (std::find(gate.passed.begin(), gate.passed.end(), r.seed) != gate.passed.end()) passing.push_back(r);
  return passing;
}

settings::Json to_json(const GateOutcome& gate) {
  return {{"rule", gate.rule},
          {"passed", gate.passed},
          {"failed", gate.failed},
          {"failed_values", gate.failed_values},
          {"headline", gate.passed.empty() ? "every seed: none passes the gate" : "the seeds that pass"}};
}

}  // namespace vrev::experiment
