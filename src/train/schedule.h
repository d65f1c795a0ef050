#pragma once
// Learning-rate schedules: constant, or linear warmup then cosine decay to min_ratio * peak.
#include <array>
#include <utility>

#include "core/settings.h"

namespace vrev::train {

enum class ScheduleKind { constant, cosine };
constexpr std::array<std::pair<ScheduleKind, const char*>, 2> enum_names(ScheduleKind) {
  return {{{ScheduleKind::constant, "constant"}, {ScheduleKind::cosine, "cosine"}}};
}

struct ScheduleConfig {
  ScheduleKind kind = ScheduleKind::constant;
  double lr = 1e-3;        // peak learning rate
  int warmup = 0;          // linear warmup steps (from lr / warmup up to lr)
  double min_ratio = 0.1;  // cosine floor as a fraction of the peak

  template <class V>
  void visit(V& v) {
    v(kind, "kind", "the learning-rate schedule after warmup");
    v(lr, "lr", "peak learning rate", 0.0, 10.0);
    v(warmup, "warmup", "linear warmup steps", 0, 1 << 30);
    v(min_ratio, "min_ratio", "cosine floor as a fraction of the peak", 0.0, 1.0);
  }
};

// Learning rate for 0-based step `step` of a run of `total` steps.
double learning_rate(const ScheduleConfig& cfg, long step, long total);

}  // namespace vrev::train
