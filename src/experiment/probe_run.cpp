// The probe references of a fine-tuning run and its captures at the evaluation steps.
#include "experiment/probe_run.h"

#include <filesystem>
#include <memory>

#include "core/io.h"
#include "experiment/checkpoint_world.h"
#include "experiment/pictures.h"
#include "experiment/reproduce.h"
#include "model/sites.h"
#include "probe/capture.h"
#include "probe/files.h"
#include "probe/geometry.h"
#include "probe/readout.h"

namespace vrev::experiment {

namespace fs = std::filesystem;

void write_probe_references(const Config& cfg, const world::World& world, const std::string& reference_dir,
                            const std::string& last_dir, const std::string& probe_dir) {
  const probe::Position position = cfg.probe.position;
  const probe::ProbeNames names = probe_names(world);
  const model::PromptSet harm = world.probe_set(world::ProbeRole::Reversion, probe_point(cfg.probe));
  model::Gpt<float> pre = load_checkpoint_model(cfg, reference_dir);
  model::Gpt<float> al = load_checkpoint_model(cfg, last_dir);
  const probe::Capture pre_h = probe::capture_sites(pre, harm, position);
  const probe::Capture al_h = probe::capture_sites(al, harm, position);
  fs::create_directories(probe_dir);
  probe::save_capture(probe::reference_capture_path(probe_dir, names.reference_phase, names.reversion_set), pre_h);
  probe::save_capture(probe::reference_capture_path(probe_dir, names.last_phase, names.reversion_set), al_h);
  probe::save_capture(probe::reference_capture_path(probe_dir, names.last_phase, names.benign_set),
                      probe::capture_sites(al, world.probe_set(world::ProbeRole::Benign, probe_point(cfg.probe)),
                                           position));
  const probe::Estimator est = cfg.probe.estimator;
  std::vector<float> v(size_t(al_h.sites) * al_h.C);
  for (int s = 0; s < al_h.sites; ++s) {
    const std::vector<double> d = probe::estimate_direction(est, pre_h.site(s), al_h.site(s), al_h.N, al_h.C);
    std::copy(d.begin(), d.end(), v.begin() + size_t(s) * al_h.C);
  }
  probe::save_matrix(probe::v_rev_path(probe_dir), v.data(), al_h.sites, al_h.C);
  const settings::Json sidecar = {{"estimator", settings::name_of(cfg.probe.estimator)},
                                  {"position", settings::name_of(cfg.probe.position)},
                                  {"probe_set", names.reversion_set},
                                  {"from", names.last_phase},
                                  {"to", names.reference_phase},
                                  {"definition", std::string("v_rev = estimate(") +
                                                     world::phase_outcome_name(world.reference_phase()) +
                                                     " activations, " +
                                                     world::phase_outcome_name(world.history().back()) +
                                                     " activations)"},
                                  {"sites", model::site_names(cfg.model.layers)},
                                  {"shape", {al_h.sites, al_h.C}}};
  io::write_text_atomic((fs::path(probe_dir) / "v_rev.json").string(), sidecar.dump(2) + "\n");
  if (world.decision_tokens()) readout_matrix(cfg, world, last_dir, probe_dir);
}

std::vector<float> readout_matrix(const Config& cfg, const world::World& world, const std::string& last_dir,
                                  const std::string& probe_dir) {
  const std::string path = probe::readout_path(probe_dir);
  int rows = 0, C = cfg.model.width;
  if (fs::exists(path)) return probe::load_matrix(path, rows, C);
  const auto tokens = world.decision_tokens();
  VREV_CHECK(tokens.has_value(), "the readout direction needs a world whose prompts make one decision between two "
                                 "tokens (safety, unlearning); this world has none");
  model::Gpt<float> last = load_checkpoint_model(cfg, last_dir);
  const std::vector<std::vector<double>> r = probe::readout_directions(
      last, world.probe_set(world::ProbeRole::Reversion, probe_point(cfg.probe)), tokens->first, tokens->second);
  std::vector<float> matrix;
  for (const std::vector<double>& site : r) matrix.insert(matrix.end(), site.begin(), site.end());
  probe::save_matrix(path, matrix.data(), static_cast<int>(r.size()), C);
  return matrix;
}

void capture_at_evaluations(PhaseCallbacks& callbacks, const Config& cfg, const world::World& world,
                            const std::string& run_dir, const std::string& label) {
  const int site = cfg.probe.site_index(cfg.model.layers);
  const probe::Position position = cfg.probe.position;
  // Shared by the two callbacks, which outlive this call.
  struct Sets {
    probe::ProbeNames names;
    model::PromptSet reversion, benign;
  };
  const auto sets = std::make_shared<const Sets>(
      Sets{probe_names(world), world.probe_set(world::ProbeRole::Reversion, probe_point(cfg.probe)),
           world.probe_set(world::ProbeRole::Benign, probe_point(cfg.probe))});
  const settings::Json manifest = {{"site", model::site_name(site, cfg.model.layers)},
                                   {"site_index", site},
                                   {"position", settings::name_of(position)},
                                   {"sites", model::site_names(cfg.model.layers)},
                                   {"steps", cfg.phase(world::Phase::Finetune).eval_steps}};
  callbacks.setup = [run_dir, manifest](model::Gpt<float>&, train::Trainer&) {
    fs::create_directories(fs::path(run_dir) / "captures");
    io::write_text_atomic(probe::captures_manifest_path(run_dir), manifest.dump(2) + "\n");
  };
  const bool pictures = !world.image_classes(false).empty();
  callbacks.at_eval = [&world, sets, run_dir, label, site, position, pictures](int64_t step, model::Gpt<float>& gpt) {
    if (pictures) write_samples(world, gpt, step_samples_stem(run_dir, step), label + ", step " + std::to_string(step));
    for (const auto& [name, prompts] :
         {std::pair{&sets->names.reversion_set, &sets->reversion}, std::pair{&sets->names.benign_set, &sets->benign}}) {
      const probe::Capture c = probe::capture_sites(gpt, *prompts, position);
      probe::save_matrix(probe::step_capture_path(run_dir, *name, step), c.site(site), c.N, c.C);
      const std::vector<float> means = c.means();
      probe::save_matrix(probe::step_means_path(run_dir, *name, step), means.data(), c.sites, c.C);
    }
  };
}

}  // namespace vrev::experiment
