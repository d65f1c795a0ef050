#pragma once
// vrev's public header: what your own test of training dynamics needs, in one include (built
// against the installed package: find_package(vrev) and vrev::vrev in CMake, or
// `pkg-config --cflags --libs vrev`; docs/library.md). Everything below namespace vrev is
// available; these are the entry points:
//
//   experiment::load_config(path, {"key.path=value", ...})   a config, validated
//   world::make_world(cfg.world, seed)                         the world: data, prompt sets, metrics
//   experiment::run_phase(cfg, run)                            train one phase into a directory
//   vrev::load_model(cfg, dir)                                 the model a phase wrote
//   world->evaluate(model)                                     behaviour metrics
//   probe::capture_sites(model, prompts, position)             activations at every site
//   vrev::reversion_alignment(cfg, world, reference, middle, fine_tuned)   cos(drift, v_rev)
//
// examples/reversion_test.cpp trains a tiny history with these and asserts that it reverts.
#include <filesystem>
#include <string>
#include <vector>

#include "core/io.h"
#include "experiment/config.h"
#include "experiment/phase_runner.h"
#include "experiment/reproduce.h"
#include "model/gpt.h"
#include "model/model_file.h"
#include "probe/capture.h"
#include "probe/geometry.h"
#include "train/checkpoint.h"
#include "vrev/version.h"
#include "world/world.h"

namespace vrev {

// The model a finished phase wrote into `dir`.
inline model::Gpt<float> load_model(const experiment::Config& cfg, const std::string& dir) {
  model::Gpt<float> gpt(cfg.model);
  model::load_model_into((std::filesystem::path(dir) / train::kModelFile).string(), gpt);
  return gpt;
}

// cos(drift, v_rev) at the config's probe site and position over the world's reversion probe
// set: v_rev = mean activation of `reference` minus `middle`'s (diff of means), the drift =
// `fine_tuned`'s minus `middle`'s. What `vrev reproduce` reports as the alignment, for any three
// models (with the default estimator).
inline double reversion_alignment(const experiment::Config& cfg, const world::World& world,
                                  model::Gpt<float>& reference, model::Gpt<float>& middle,
                                  model::Gpt<float>& fine_tuned) {
  const model::PromptSet prompts = world.probe_set(world::ProbeRole::Reversion, experiment::probe_point(cfg.probe));
  const int site = cfg.probe.site_index(cfg.model.layers);
  const probe::Capture r = probe::capture_sites(reference, prompts, cfg.probe.position);
  const probe::Capture m = probe::capture_sites(middle, prompts, cfg.probe.position);
  const probe::Capture f = probe::capture_sites(fine_tuned, prompts, cfg.probe.position);
  const std::vector<double> v_rev = probe::diff_means(r.site(site), m.site(site), m.N, m.C);
  const std::vector<double> drift = probe::diff_means(f.site(site), m.site(site), m.N, m.C);
  return probe::cosine(drift, v_rev);
}

}  // namespace vrev
