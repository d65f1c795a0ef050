// Warmup + cosine and constant learning-rate schedules.
#include "train/schedule.h"

#include <algorithm>
#include <cmath>

#include "kernels/math.h"

namespace vrev::train {

double learning_rate(const ScheduleConfig& cfg, long step, long total) {
  if (step < cfg.warmup) return cfg.lr * double(step + 1) / cfg.warmup;
  if (cfg.kind == ScheduleKind::constant) return cfg.lr;
  const long decay_steps = std::max(1L, total - cfg.warmup);
  const double progress = std::min(1.0, double(step - cfg.warmup) / decay_steps);
  const double floor = cfg.min_ratio * cfg.lr;
  return floor + 0.5 * (cfg.lr - floor) * (1.0 + kernels::math::cos_2pi(0.5 * progress));  // cos(pi progress)
}

}  // namespace vrev::train
