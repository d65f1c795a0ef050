// The first fine-tuning update, group by group.
#include "experiment/first_update.h"

#include <cmath>
#include <map>

#include "experiment/checkpoint_world.h"
#include "experiment/reproduce.h"
#include "probe/capture.h"
#include "probe/drift.h"
#include "probe/geometry.h"
#include "train/optimizer.h"
#include "train/schedule.h"
#include "train/trainer.h"
#include "world/phase_data.h"

namespace vrev::experiment {

namespace {

// The group of a parameter tensor: blocks.i.attn | mlp | ln (both LayerNorms), wpe, ln_f; wte is
// split by rows later.
std::string group_of(const std::string& tensor) {
  if (tensor.rfind("blocks.", 0) == 0) {
    const size_t dot = tensor.find('.', 7);
    const std::string block = tensor.substr(0, dot), part = tensor.substr(dot + 1);
    return block + (part.rfind("attn", 0) == 0 ? ".attn" : part.rfind("mlp", 0) == 0 ? ".mlp" : ".ln");
  }
  return tensor.substr(0, tensor.find('.'));
}

}  // namespace

FirstUpdate first_update(const Config& cfg, const world::World& world, const std::string& reference_dir,
                         const std::string& last_dir) {
  const int site = cfg.probe.site_index(cfg.model.layers);
  const model::PromptSet prompts = world.probe_set(world::ProbeRole::Reversion, probe_point(cfg.probe));
  auto capture = [&](model::Gpt<float>& gpt) { return probe::capture_sites(gpt, prompts, cfg.probe.position); };
  model::Gpt<float> pre = load_checkpoint_model(cfg, reference_dir);
  model::Gpt<float> gpt = load_checkpoint_model(cfg, last_dir);
  const probe::Capture pre_c = capture(pre), al_c = capture(gpt);
  const int N = al_c.N, C = al_c.C;
  const std::vector<double> v =
      probe::estimate_direction(cfg.probe.estimator, pre_c.site(site), al_c.site(site), N, C);
  const std::vector<double> v_unit = probe::normalized(v);

  // One step as the plain arm takes it, and the tokens its batch feeds in.
  const std::vector<float> before(gpt.params().values(), gpt.params().values() + gpt.params().size());
  train::Optimizer optimizer(cfg.phase(world::Phase::Finetune).optimizer, gpt.params().size());
  world::PhaseData data(world, world::Phase::Finetune, cfg.phase(world::Phase::Finetune).batch_size);
  train::Batch batch;
  data.fill(0, batch);
  std::vector<bool> in_batch(cfg.model.vocab_size, false);
  for (const int32_t t : batch.inputs) in_batch[t] = true;
  train::Trainer trainer(gpt, optimizer, cfg.phase(world::Phase::Finetune).schedule, cfg.phase(world::Phase::Finetune).steps, data);
  trainer.step();
  const std::vector<float> after(gpt.params().values(), gpt.params().values() + gpt.params().size());

  FirstUpdate u;
  u.learning_rate = train::learning_rate(cfg.phase(world::Phase::Finetune).schedule, 0, cfg.phase(world::Phase::Finetune).steps);
  auto drift_of = [&](model::Gpt<float>& model) {
    const probe::Capture c = capture(model);
    return probe::mean_drift(al_c.site(site), c.site(site), N, C);
  };
  const std::vector<double> full = drift_of(gpt);
  u.alignment = probe::cosine(full, v);

  // Every coordinate's group, in the order groups first appear.
  std::vector<std::string> names;
  std::map<std::string, std::vector<size_t>> members;
  auto add = [&](const std::string& group, size_t index) {
    if (!members.count(group)) names.push_back(group);
    members[group].push_back(index);
  };
  for (const model::ParamView& view : gpt.params().views()) {
    const std::string group = group_of(view.name);
    for (size_t k = 0; k < view.numel(); ++k) {
      if (group == "wte") {
        const size_t token = k / size_t(C);
        add(in_batch[token] ? "wte: tokens in the batch" : "wte: tokens absent from the batch (tied head only)",
            view.offset + k);
      } else {
        add(group, view.offset + k);
      }
    }
  }
  double total_sq = 0;
  for (size_t j = 0; j < before.size(); ++j) total_sq += double(after[j] - before[j]) * (after[j] - before[j]);
  const double full_norm = probe::norm(full);
  for (const std::string& name : names) {
    UpdateGroup g;
    g.name = name;
    g.parameters = members[name].size();
    float* values = gpt.params().values();
    std::copy(before.begin(), before.end(), values);
    double sq = 0;
    size_t full_steps = 0;
    for (const size_t j : members[name]) {
      const double d = double(after[j]) - before[j];
      sq += d * d;
      full_steps += std::abs(d) >= 0.5 * u.learning_rate;
      values[j] = after[j];
    }
    g.update_share = total_sq > 0 ? sq / total_sq : 0.0;
    g.full_step_share = double(full_steps) / double(g.parameters);
    const std::vector<double> d = drift_of(gpt);
    double along = 0;
    for (int c = 0; c < C; ++c) along += d[c] * v_unit[c];
    g.along_v_rev = full_norm > 0 ? along / full_norm : 0.0;
    g.alignment = probe::cosine(d, v);
    u.groups_along_v_rev += g.along_v_rev;
    u.groups.push_back(g);
  }
  return u;
}

settings::Json to_json(const FirstUpdate& u) {
  settings::Json groups = settings::Json::array();
  for (const UpdateGroup& g : u.groups)
    groups.push_back({{"group", g.name},
                      {"parameters", g.parameters},
                      {"update_share", g.update_share},
                      {"full_step_share", g.full_step_share},
                      {"along_v_rev", g.along_v_rev},
                      {"alignment", g.alignment}});
  return {{"learning_rate", u.learning_rate},
          {"alignment", u.alignment},
          {"groups_along_v_rev", u.groups_along_v_rev},
          {"groups", groups}};
}

}  // namespace vrev::experiment
