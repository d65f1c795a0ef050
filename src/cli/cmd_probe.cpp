// vrev capture, vrev direction, vrev drift: the geometry instruments one at a time.
#include <filesystem>

#include "cli/common.h"
#include "core/io.h"
#include "experiment/checkpoint_world.h"
#include "experiment/config.h"
#include "experiment/probe_run.h"
#include "experiment/reproduce.h"
#include "experiment/run_layout.h"
#include "probe/capture.h"
#include "probe/files.h"
#include "probe/nulls.h"
#include "probe/run_geometry.h"
#include "train/checkpoint.h"
#include "world/world.h"

namespace vrev::cli {

namespace fs = std::filesystem;

namespace {

// A probe set by role (reversion, benign, block: the world's sets for that role) or by a fixed
// set's own name.
model::PromptSet probe_set(const world::World& world, const std::string& name, world::ProbePoint point) {
  for (const auto& [role, role_name] : enum_names(world::ProbeRole{}))
    if (name == role_name) return world.probe_set(role, point);
  VREV_CHECK(name != "harmful", "--probe harmful is called --probe reversion now: the world's reversion probe set (",
             world.probe_set_name(world::ProbeRole::Reversion), " in this world)");
  return world.named_prompt_set(name, point);
}

const std::string kProbeHelp = "reversion | benign | block (the world's probe sets for each role), or a fixed set's "
                               "name (e.g. neglected_eval)";

// Activations (N, C) of a checkpoint at one site over a probe set.
std::vector<float> capture_site(const std::string& ckpt, const std::string& config, const std::string& set,
                                const std::string& site_name, const std::string& position, int& N, int& C) {
  experiment::OpenedCheckpoint ck = experiment::open_checkpoint(ckpt, config, {});
  const std::unique_ptr<world::World> world = world::make_world(ck.world, ck.seed);
  probe::ProbeConfig pc;
  pc.site = site_name;
  pc.position = settings::parse_name<probe::Position>(position, "--position");
  const int site = pc.site_index(ck.model.config().layers);
  const model::PromptSet prompts = probe_set(*world, set, experiment::probe_point(pc));
  const probe::Capture cap = probe::capture_sites(ck.model, prompts, pc.position);
  N = cap.N;
  C = cap.C;
  return {cap.site(site), cap.site(site) + size_t(cap.N) * cap.C};
}

}  // namespace

int run_capture(int argc, char** argv) {
  cxxopts::Options options("vrev capture", "Activations (N, C) at one site over a probe set, as float32 .npy.");
  options.add_options()("ckpt", "checkpoint directory", cxxopts::value<std::string>())(
      "probe", kProbeHelp, cxxopts::value<std::string>())(
      "config", "config whose world to use (default: the checkpoint's)", cxxopts::value<std::string>())(
      "out", "output .npy", cxxopts::value<std::string>());
  add_setting_flag(options, probe::ProbeConfig{}, "site");
  add_setting_flag(options, probe::ProbeConfig{}, "position");
  auto args = parse(options, argc, argv);
  int N = 0, C = 0;
  const auto x = capture_site(required(args, "ckpt"), args.count("config") ? args["config"].as<std::string>() : "",
                              required(args, "probe"), args["site"].as<std::string>(),
                              args["position"].as<std::string>(), N, C);
  const std::string out = required(args, "out");
  probe::save_matrix(out, x.data(), N, C);
  std::printf("wrote %s (%d, %d)\n", out.c_str(), N, C);
  return 0;
}

int run_direction(int argc, char** argv) {
  cxxopts::Options options("vrev direction",
                           "Estimate a direction from one checkpoint's activations to another's at a site, e.g.\n"
                           "v_rev with --from ALIGNED --to PRETRAINED (v = where --to sits, seen from --from).\n"
                           "Writes v.npy (C) and a JSON sidecar saying how it was made.");
  options.add_options()("from", "checkpoint directory (the origin, e.g. aligned)", cxxopts::value<std::string>())(
      "to", "checkpoint directory (e.g. pretrained)", cxxopts::value<std::string>())(
      "probe", kProbeHelp, cxxopts::value<std::string>()->default_value("reversion"))(
      "out", "output .npy", cxxopts::value<std::string>());
  for (const char* key : {"estimator", "site", "position"}) add_setting_flag(options, probe::ProbeConfig{}, key);
  auto args = parse(options, argc, argv);
  const auto est = settings::parse_name<probe::Estimator>(args["estimator"].as<std::string>(), "--estimator");
  int Nf = 0, Cf = 0, Nt = 0, Ct = 0;
  const std::string from = required(args, "from"), to = required(args, "to"), out = required(args, "out");
  const std::string site = args["site"].as<std::string>(), set = args["probe"].as<std::string>();
  const std::string position = args["position"].as<std::string>();
  const auto a = capture_site(from, "", set, site, position, Nf, Cf);
  const auto p = capture_site(to, "", set, site, position, Nt, Ct);
  VREV_CHECK(Cf == Ct, "--from has width C = ", Cf, " but --to has C = ", Ct);
  VREV_CHECK(Nf == Nt, "--from and --to give probe sets of different sizes (", Nf, " vs ", Nt, "): different worlds?");
  const std::vector<double> v = probe::estimate_direction(est, p.data(), a.data(), Nf, Cf);
  const std::vector<float> vf(v.begin(), v.end());
  io::write_npy(out, io::Array::from_f32(vf.data(), {Cf}));
  const settings::Json sidecar = {{"estimator", settings::name_of(est)}, {"from", from}, {"to", to},
                                  {"site", site}, {"probe", set}, {"position", position}, {"N", Nf}, {"C", Cf}};
  io::write_text_atomic(fs::path(out).replace_extension(".json").string(), sidecar.dump(2) + "\n");
  std::printf("wrote %s (C = %d)\n", out.c_str(), Cf);
  return 0;
}

namespace {

// The geometry of a fine-tuning run standing alone (vrev train --phase finetune): the probe
// references from --pretrain and --align into <run>/probe/, then the geometry against them.
settings::Json standalone_geometry(const cxxopts::ParseResult& args, const fs::path& run) {
  VREV_CHECK(args.count("pretrain") && args.count("align"),
             "a standalone run needs both --pretrain and --align (the checkpoints v_rev is estimated between)");
  VREV_CHECK(args.count("config"), "a standalone run needs --config, the config it was trained with");
  const experiment::Config cfg = experiment::load_config(args["config"].as<std::string>(), overrides(args));
  const std::unique_ptr<world::World> world = world::make_world(cfg.world, 0);
  const probe::ProbeNames names = experiment::probe_names(*world);
  const std::string pretrain = args["pretrain"].as<std::string>(), align = args["align"].as<std::string>();
  check_probe_checkpoints(names, pretrain, align);
  const train::CheckpointState ft = train::read_checkpoint_state(run.string());
  VREV_CHECK(ft.parent_sha256 == io::sha256_file((fs::path(align) / train::kModelFile).string()), "--run ",
             run.string(), " was not fine-tuned from --align ", align, " (its parent checkpoint differs)");
  VREV_CHECK(fs::exists(probe::captures_manifest_path(run.string())), "--run ", run.string(),
             " has no captures: train it with vrev train --phase finetune (or control), which captures");
  std::vector<std::string> controls;
  if (args.count("control")) {
    controls = args["control"].as<std::vector<std::string>>();
    for (const std::string& control : controls)
      VREV_CHECK(fs::exists(probe::captures_manifest_path(control)), "--control ", control, " has no captures");
  } else {
    std::printf("no --control: the control fine-tuning null is omitted\n");
  }
  const std::string probe_dir = (run / "probe").string();
  experiment::write_probe_references(cfg, *world, pretrain, align, probe_dir);
  return probe::run_geometry(run.string(), probe_dir, controls, ft.seed, cfg.probe, names);
}

}  // namespace

namespace {

// What drift needs: a fine-tuning (or control) run, with the seed's probe/ beside it unless the
// history's checkpoints are given. The errors say which kind of directory was given instead.
void check_fine_tuning_run(const fs::path& run, bool standalone) {
  const experiment::RunLayout as_root(run);
  if (!fs::exists(run / train::kStateFile)) {
    VREV_CHECK(!fs::exists(as_root.config()) || !fs::exists(run / "seed-0"), run.string(),
               " is a vrev reproduce run; give one of its fine-tuning runs, e.g. ", (run / "seed-0" / "finetune-plain").string());
    VREV_FAIL(run.string(), " is not a fine-tuning run (no state.json): give a vrev train --phase finetune output or a "
              "reproduce run's seed-N/finetune-<arm>");
  }
  const std::string phase = train::read_checkpoint_state(run.string()).phase;
  VREV_CHECK(phase == "finetune" || phase == "control", run.string(), " is a ", phase,
             " run; drift measures a fine-tuning run (vrev train --phase finetune, or a reproduce run's "
             "seed-N/finetune-<arm>)");
  VREV_CHECK(standalone || fs::exists(experiment::SeedLayout::of_arm(run).probe()), run.string(),
             " has no probe/ beside it, so it is a standalone fine-tuning run: give --pretrain and --align (the "
             "history's checkpoints it started from) and --config");
}

}  // namespace

int run_drift(int argc, char** argv) {
  cxxopts::Options options(
      "vrev drift",
      "Recompute every drift metric and null of a fine-tuning run from its captures and write\n"
      "geometry.json and geometry.csv into it. Two kinds of --run:\n"
      "  a finetune-<arm> directory of `vrev reproduce`: the seed's probe/ and finetune-control/ sit beside it;\n"
      "  a run of `vrev train --phase finetune` on its own: give --pretrain and --align (the history's\n"
      "  reference and last checkpoints: in the safety world pretrain and align), --config, and optionally\n"
      "  --control (`vrev train --phase control` runs, --replica 0, 1, ...: the control null is the spread\n"
      "  of their alignment); v_rev and the references go to <run>/probe/, and without --control the\n"
      "  control null is omitted.");
  options.add_options()("run", "fine-tuning run directory", cxxopts::value<std::string>())(
      "pretrain", "standalone: the reference checkpoint (safety: pretrain)", cxxopts::value<std::string>())(
      "align", "standalone: the history's last checkpoint, --run's parent (safety: align)",
      cxxopts::value<std::string>())(
      "control", "standalone: a control fine-tuning run from the same parent (repeatable)",
      cxxopts::value<std::vector<std::string>>())(
      "config", "config whose world and probe sections to use (default for a reproduce arm: the run's config.json)",
      cxxopts::value<std::string>())(
      "set", "override a config value, key.path=value (repeatable)", cxxopts::value<std::vector<std::string>>())(
      "threads", "threads for OpenMP and OpenBLAS (0: the cores other work is not using)", cxxopts::value<int>()->default_value("0"));
  auto args = parse(options, argc, argv);
  apply_threads(args["threads"].as<int>());
  const fs::path run = fs::path(required(args, "run"));
  check_fine_tuning_run(run, args.count("pretrain") || args.count("align") || args.count("control"));
  settings::Json g;
  if (args.count("pretrain") || args.count("align") || args.count("control")) {
    g = standalone_geometry(args, run);
  } else {
    const experiment::SeedLayout seed = experiment::SeedLayout::of_arm(run);
    const experiment::RunLayout whole(seed.dir().parent_path());
    std::string config = args.count("config") ? args["config"].as<std::string>() : "";
    if (config.empty() && fs::exists(whole.config())) config = whole.config();
    experiment::Config cfg;  // the defaults where the run has no config
    if (!config.empty()) cfg = experiment::load_config(config, overrides(args));
    std::vector<std::string> controls;
    for (int r = 0; r < cfg.reproduce.controls; ++r) {
      const fs::path control = seed.control(r);
      if (fs::exists(control) && fs::weakly_canonical(control) != fs::weakly_canonical(run))
        controls.push_back(control.string());
    }
    g = probe::run_geometry(run.string(), seed.probe(), controls, train::read_checkpoint_state(run.string()).seed,
                            cfg.probe, experiment::probe_names(*world::make_world(cfg.world, 0)));
  }
  probe::write_geometry(run.string(), g);
  std::printf("cos(drift, v_rev) at %s, by fine-tuning step:\n", g["site"].get<std::string>().c_str());
  for (size_t i = 0; i < g["steps"].size(); ++i)
    std::printf("  step %4lld  %+.3f\n", static_cast<long long>(g["steps"][i].get<int64_t>()),
                g["alignment"][i].get<double>());
  std::printf("wrote %s and geometry.csv\n", (run / "geometry.json").string().c_str());
  return 0;
}

}  // namespace vrev::cli
