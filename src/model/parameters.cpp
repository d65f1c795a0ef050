// The GPT's parameter names, shapes and order (the table in docs/architecture.md).
#include "model/parameters.h"

namespace vrev::model {

std::vector<ParamView> parameter_layout(const ModelConfig& cfg) {
  const int64_t V = cfg.vocab_size, Tmax = cfg.context, C = cfg.width;
  std::vector<ParamView> views;
  size_t offset = 0;
  auto add = [&](std::string name, Shape shape) {
    views.push_back({std::move(name), shape, offset, shape.rank == 2});
    offset += static_cast<size_t>(shape.numel());
  };
  add("wte.weight", {V, C});
  add("wpe.weight", {Tmax, C});
  for (int i = 0; i < cfg.layers; ++i) {
    const std::string p = "blocks." + std::to_string(i) + ".";
    add(p + "ln1.weight", {C});
    add(p + "ln1.bias", {C});
    add(p + "attn.qkv.weight", {3 * C, C});
    add(p + "attn.qkv.bias", {3 * C});
    add(p + "attn.proj.weight", {C, C});
    add(p + "attn.proj.bias", {C});
    add(p + "ln2.weight", {C});
    add(p + "ln2.bias", {C});
    add(p + "mlp.fc.weight", {4 * C, C});
    add(p + "mlp.fc.bias", {4 * C});
    add(p + "mlp.proj.weight", {C, 4 * C});
    add(p + "mlp.proj.bias", {C});
  }
  add("ln_f.weight", {C});
  add("ln_f.bias", {C});
  return views;
}

}  // namespace vrev::model
