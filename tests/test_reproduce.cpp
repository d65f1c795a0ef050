// `vrev reproduce`, shrunk: configs/tiny.json with one seed. Checks the outputs a researcher
// loads (summary.json keys, table.csv, report.md, plots), the measured phenomenon, resume after
// an interruption, and the geometry commands' errors on bad captures.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "core/io.h"
#include "experiment/metrics_log.h"
#include "experiment/reproduce.h"
#include "experiment/result_digest.h"
#include "experiment/run_layout.h"
#include "experiment/summary.h"
#include "experiment/sweep.h"
#include "probe/files.h"
#include "test_helpers.h"
#include "train/checkpoint.h"

namespace fs = std::filesystem;
using namespace vrev;
using settings::Json;

namespace {

const std::string kTiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";

// What reproduce returns, as summary.json: the file holds it byte for byte, and reading the file
// back gives the same summary.
Json reproduce_summary(const experiment::Config& cfg, const experiment::ReproduceOptions& opt) {
  const std::optional<experiment::RunSummary> summary = experiment::reproduce(cfg, opt);
  REQUIRE(summary.has_value());
  const std::string written = io::read_text(opt.out_dir + "/summary.json");
  CHECK(experiment::to_json(*summary).dump(1) + "\n" == written);
  CHECK(experiment::to_json(experiment::read_run_summary(opt.out_dir + "/summary.json")).dump(1) + "\n" == written);
  return experiment::to_json(*summary);
}

Json without_wall_time(Json summary) {
  summary.erase(experiment::kWallSecondsKey);
  summary.erase(experiment::kTrainingSecondsKey);
  return summary;
}

}  // namespace

TEST_CASE("a run's layout: every directory named once, and an arm's seed found from the arm", "[reproduce]") {
  const experiment::RunLayout run("runs/x");
  const experiment::SeedLayout seed = run.seed(2);
  CHECK(run.config() == "runs/x/config.json");
  CHECK(run.report() == "runs/x/report.md");
  CHECK(seed.phase(world::Phase::Align) == "runs/x/seed-2/align");
  CHECK(seed.probe() == "runs/x/seed-2/probe");
  CHECK(seed.arm("block-vrev") == "runs/x/seed-2/finetune-block-vrev");
  CHECK(seed.control(0) == "runs/x/seed-2/finetune-control");
  CHECK(seed.control(2) == "runs/x/seed-2/finetune-control-2");
  CHECK(seed.other_init_teacher().phase(world::Phase::Pretrain) == "runs/x/seed-2/teacher-other-init/pretrain");
  CHECK(experiment::SeedLayout::of_arm(seed.arm("plain") + "/").probe() == seed.probe());
  CHECK(experiment::SeedLayout::of_arm("finetune-plain").probe() == "./probe");
}

TEST_CASE("reproduce on the tiny world: outputs, phenomenon, resume, errors", "[reproduce][e2e]") {
  const fs::path out = test::temp_dir("reproduce");
  const experiment::Config cfg = experiment::load_config(kTiny, {"reproduce.seeds=1"});
  experiment::ReproduceOptions opt;
  opt.config_path = kTiny;
  opt.out_dir = out.string();
  opt.quiet = true;
  const Json summary = reproduce_summary(cfg, opt);

  // The published digest of this run (configs/digests.json) is the one it gives: a change of
  // results must re-publish it (vrev digest --json, docs/determinism.md), and the other tracks'.
  const experiment::RunDigest digest = experiment::digest_run(out.string());
  INFO("tiny track digest " << experiment::to_json(digest).dump());
  REQUIRE(experiment::published_for(digest.settings).has_value());
  CHECK(experiment::match_published(digest) == experiment::DigestMatch::matches);

  // vrev digest: the published match, a changed result, another setting, and no run (checked
  // once here, not as a section: a section reruns the whole track).
  {
    const auto same = test::run_vrev("digest " + out.string());
    CHECK(same.exit_code == 0);
    CHECK_THAT(same.out, Catch::Contains("matches the published result bit for bit (tiny track, 1 seed"));
    const fs::path edited = test::temp_dir("digest-edited");
    for (const char* f : {"config.json", "summary.json", "table.csv"}) fs::copy_file(out / f, edited / f);
    io::write_text_atomic((edited / "table.csv").string(), io::read_text((out / "table.csv").string()) + "\n");
    const auto differs = test::run_vrev("digest " + edited.string());
    CHECK(differs.exit_code == 1);
    CHECK_THAT(differs.out, Catch::Contains("differs from the published result"));
    // Times are not results: a summary with other seconds still matches.
    Json timed = Json::parse(io::read_text((out / "summary.json").string()));
    timed[experiment::kWallSecondsKey] = 1e6;
    timed[experiment::kTrainingSecondsKey] = 2e6;
    io::write_text_atomic((edited / "summary.json").string(), timed.dump(1) + "\n");
    fs::copy_file(out / "table.csv", edited / "table.csv", fs::copy_options::overwrite_existing);
    CHECK_THAT(test::run_vrev("digest " + edited.string()).out, Catch::Contains("matches the published result"));
    // Another seed count is another setting, with nothing published for it; the instruction set
    // is not a setting of the results.
    Json config = Json::parse(io::read_text((out / "config.json").string()));
    config["kernels"]["isa"] = "portable";
    io::write_text_atomic((edited / "config.json").string(), config.dump(1) + "\n");
    CHECK_THAT(test::run_vrev("digest " + edited.string()).out, Catch::Contains("matches the published result"));
    config["reproduce"]["seeds"] = 2;
    io::write_text_atomic((edited / "config.json").string(), config.dump(1) + "\n");
    const auto other = test::run_vrev("digest " + edited.string());
    CHECK(other.exit_code == 0);
    CHECK_THAT(other.out, Catch::Contains("no published result has these settings"));
    const auto none = test::run_vrev("digest " + (out / "seed-0").string());
    CHECK(none.exit_code == 1);
    CHECK_THAT(none.err, Catch::Contains("is not a finished vrev reproduce run: it has no config.json"));
  }

  // The files of a run's layout (docs/architecture.md, Files).
  for (const char* f : {"config.json", "summary.json", "table.csv", "report.md", "plots/alignment_vs_step.png",
                        "plots/harmfulness_vs_step.png", "plots/alignment_per_layer.png", "seed-0/probe/v_rev.npy",
                        "seed-0/probe/v_rev.json", "seed-0/finetune-plain/geometry.json",
                        "seed-0/finetune-plain/geometry.csv", "seed-0/finetune-plain/metrics.jsonl"})
    CHECK(fs::exists(out / f));
  // summary.json as the issue specifies it.
  for (const char* arm : {"plain", "block-vrev", "block-random", "block-pc1"}) {
    INFO(arm);
    const Json& a = summary["arms"][arm];
    for (const char* k : {"harmfulness", "harmful_content", "task_accuracy", "benign_helpfulness"}) {
      CHECK(a[k].contains("mean"));
      CHECK(a[k]["values"].size() == 1);
      CHECK(a[k]["mean"].get<double>() >= 0.0);
      CHECK(a[k]["mean"].get<double>() <= 1.0);
    }
    CHECK(a["alignment"].contains("1"));
  }
  // tiny.json evaluates steps 1, 2, 3, 5, 10, 20 (of them, the reference's are 1, 2, 5, 10, 20), then 30 and 50.
  for (const char* null : {"isotropic", "anisotropic", "label_shuffle", "control_finetune"}) {
    INFO(null);
    const Json& sets = summary["nulls"][null]["step_sets"];
    CHECK(summary["nulls"][null]["pairs"].get<int>() == 6);
    CHECK(sets["vrev"]["pairs"].get<int>() == 6);
    CHECK(sets["reference"]["steps"] == Json::array({1, 2, 5, 10, 20}));
    CHECK(sets["paper"]["steps"] == Json::array({1, 2, 3, 5, 10, 20, 30, 50}));
  }
  const Json g = Json::parse(io::read_text((out / "seed-0/finetune-plain/geometry.json").string()));
  CHECK(g["width"] == 64);
  CHECK(g["nulls"]["anisotropic"]["p99"].size() == g["steps"].size());
  CHECK(g["nulls"]["label_shuffle"]["kind"] == "balanced");
  // Two control runs (tiny.json), each its own data stream: two draws of the control null per step.
  CHECK(fs::exists(out / "seed-0/finetune-control-1/captures/captures.json"));
  CHECK(g["nulls"]["control_finetune"]["runs"] == 2);
  CHECK(g["nulls"]["control_finetune"]["values"].back().size() == 2);
  CHECK(summary["control_null"]["p99"].size() == g["steps"].size());
  CHECK(g["split_half_alignment"].size() == g["steps"].size());
  // tiny.json is not the main track: the paper's and the reference's figures are left out.
  CHECK(!summary.contains("reference"));
  CHECK(summary["main_track_differences"].size() > 0);
  CHECK_THAT(io::read_text((out / "report.md").string()), Catch::Contains("Settings that differ from the main track"));

  // The phenomenon, as measured on tiny.json (README): plain fine-tuning drifts along v_rev far
  // above the isotropic null, harmfulness returns, and blocking along v_rev removes the alignment.
  const Json& plain = summary["arms"]["plain"];
  CHECK(plain["alignment"]["1"]["mean"].get<double>() > g["nulls"]["isotropic"]["p99"][1].get<double>());
  CHECK(summary["nulls"]["isotropic"]["above_p99"] == summary["nulls"]["isotropic"]["pairs"]);
  CHECK(plain["harmfulness"]["mean"].get<double>() >= 0.5);
  CHECK(summary["arms"]["block-vrev"]["alignment"]["50"]["mean"].get<double>() <
        0.5 * plain["alignment"]["50"]["mean"].get<double>());
  CHECK(summary["arms"]["block-random"]["alignment"]["50"]["mean"].get<double>() >
        0.5 * plain["alignment"]["50"]["mean"].get<double>());

  // The mechanism's continuous measures (docs/mechanism.md): P(SURE), its log and the other
  // openers' share beside harmfulness, the drift off v_rev, and the distance moved from the
  // aligned model at every evaluation.
  for (const char* k : {"p_sure", "log_p_sure", "other_opener"}) CHECK(plain[k].contains("mean"));
  CHECK(plain["p_sure"]["mean"].get<double>() + plain["p_sorry"]["mean"].get<double>() <= 1.0);
  CHECK(plain["log_p_sure"]["mean"].get<double>() <= 0.0);
  CHECK(g["orthogonal_fraction"].size() == g["steps"].size());
  for (size_t i = 0; i < g["steps"].size(); ++i) {  // Pythagoras in units of |v_rev|
    const double along = g["reversion_fraction"][i], off = g["orthogonal_fraction"][i], all = g["relative_norm"][i];
    CHECK(along * along + off * off == Approx(all * all).epsilon(1e-9));
  }
  std::vector<Json> evaluations;
  for (const Json& line : experiment::read_metrics((out / "seed-0/finetune-plain/metrics.jsonl").string()))
    if (line.contains("behaviour")) evaluations.push_back(line);
  REQUIRE(evaluations.size() >= 2);
  CHECK(evaluations.front()["param_distance"]["total"] == 0.0);  // step 0 is the aligned model
  const Json& moved = evaluations.back()["param_distance"];
  CHECK(moved["total"].get<double>() > 0.0);
  double squares = 0;
  for (const char* group : {"wte", "wpe", "blocks.0", "blocks.1", "ln_f"}) {
    INFO(group);
    REQUIRE(moved.contains(group));
    squares += moved[group].get<double>() * moved[group].get<double>();
  }
  CHECK(std::sqrt(squares) == Approx(moved["total"].get<double>()).epsilon(1e-12));

  SECTION("vrev compare: a run against itself, against an edited copy, and a directory that is no run") {
    const auto same = test::run_vrev("compare " + out.string() + " " + out.string());
    REQUIRE(same.exit_code == 0);
    CHECK_THAT(same.out, Catch::Contains("None: the two runs have the same config"));
    CHECK_THAT(same.out, !Catch::Contains("- differ:"));
    const fs::path copy = test::temp_dir("reproduce-compare");
    fs::copy(out, copy, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    Json config = Json::parse(io::read_text((copy / "config.json").string()));
    config["world"]["finetune_loss"] = "after_opener";
    io::write_text_atomic((copy / "config.json").string(), config.dump());
    Json edited = summary;
    edited["arms"]["plain"]["harmfulness"]["mean"] = plain["harmfulness"]["mean"].get<double>() - 0.25;
    io::write_text_atomic((copy / "summary.json").string(), edited.dump());
    std::string bits = io::read_text((copy / "seed-0/align/model.safetensors").string());
    bits.back() ^= 1;
    io::write_text_atomic((copy / "seed-0/align/model.safetensors").string(), bits);
    const auto differ = test::run_vrev("compare " + out.string() + " " + copy.string());
    REQUIRE(differ.exit_code == 0);
    CHECK_THAT(differ.out, Catch::Contains("world.finetune_loss: \"response\" -> \"after_opener\""));
    CHECK_THAT(differ.out, Catch::Contains("| harmfulness at T | plain |"));
    CHECK_THAT(differ.out, Catch::Contains("| -0.250 |"));
    CHECK_THAT(differ.out, Catch::Contains("- differ: `seed-0/align/model.safetensors`"));
    const auto bad = test::run_vrev("compare " + out.string() + " " + (copy / "seed-0").string());
    CHECK(bad.exit_code != 0);
    CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
    CHECK_THAT(bad.err, Catch::Contains("is not a finished vrev reproduce run"));
    fs::remove_all(copy);
  }

  SECTION("vrev verdicts: the report's verdicts from the run, as JSON, checked against a file; bad input is one line") {
    const auto md = test::run_vrev("verdicts " + out.string());
    INFO(md.err);
    REQUIRE(md.exit_code == 0);
    CHECK_THAT(md.out, Catch::Contains("| claim | paper | per-seed quantity |"));
    CHECK_THAT(io::read_text((out / "report.md").string()), Catch::Contains(md.out));
    const fs::path file = test::temp_dir("reproduce-verdicts") / "verdicts.json";
    const auto json = test::run_vrev("verdicts " + out.string() + " --json");
    REQUIRE(json.exit_code == 0);
    io::write_text_atomic(file.string(), json.out);
    const auto again = test::run_vrev("verdicts " + file.string());
    CHECK(again.out == md.out);  // the file's per-seed values give the same sentences
    CHECK(test::run_vrev("verdicts " + file.string() + " --check " + (out / "report.md").string()).exit_code == 0);
    const auto missing = test::run_vrev("verdicts " + file.string() + " --check " + (out / "config.json").string());
    CHECK(missing.exit_code != 0);
    CHECK_THAT(missing.err, Catch::Contains("does not hold the verdicts"));
    const auto every = test::run_vrev("verdicts " + out.string() + " --every-seed");
    if (summary.contains("all_seeds"))
      CHECK(every.exit_code == 0);
    else
      CHECK_THAT(every.err, Catch::Contains("drop --every-seed"));
    const auto none = test::run_vrev("verdicts " + (out / "seed-0").string());
    CHECK(none.exit_code != 0);
    CHECK(std::count(none.err.begin(), none.err.end(), '\n') == 1);
  }

  SECTION("block-readout: the readout direction blocked like v_rev; the report compares the two") {
    const experiment::Config with_readout = experiment::load_config(
        kTiny, {"reproduce.seeds=1", R"(reproduce.arms=["plain","block-vrev","block-random","block-pc1","block-readout"])"});
    const Json again = reproduce_summary(with_readout, opt);  // only the new arm trains
    CHECK(fs::exists(out / "seed-0/probe/readout.npy"));
    REQUIRE(again["arms"].contains("block-readout"));
    bool readout_claim = false;
    for (const Json& claim : again["verdicts"]["claims"])
      readout_claim = readout_claim || claim["claim"].get<std::string>().find("below block-readout") != std::string::npos;
    CHECK(readout_claim);
    CHECK(again["readout"]["cos_v_rev_per_site"].size() == 6);  // embed, 2 x (resid_mid, resid_post), ln_f
    const double plain_r = again["readout"]["arms"]["plain"]["alignment"]["50"]["mean"];
    const double blocked_r = again["readout"]["arms"]["block-readout"]["alignment"]["50"]["mean"];
    INFO("cos(drift, r) at T: plain " << plain_r << ", block-readout " << blocked_r);
    CHECK(std::abs(blocked_r) < std::abs(plain_r));
    CHECK(without_wall_time(again)["arms"]["plain"] == without_wall_time(summary)["arms"]["plain"]);
    CHECK_THAT(io::read_text((out / "report.md").string()), Catch::Contains("## The readout direction"));
  }

  SECTION("vrev regress: every arm and control run's points, three fits, the files; bad input is one line") {
    const fs::path fits = test::temp_dir("reproduce-regress");
    const auto r = test::run_vrev("regress " + out.string() + " --bootstrap 50 --out " + fits.string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* f : {"regress.md", "regress.json", "points.csv", "regress.png"}) CHECK(fs::exists(fits / f));
    const Json j = Json::parse(io::read_text((fits / "regress.json").string()));
    REQUIRE(j["models"].size() == 3);
    CHECK(j["models"][0]["coefficients"].contains("along"));
    // tiny.json: 4 arms and 2 control runs, each evaluated and captured at 8 steps after 0.
    CHECK(j["models"][0]["n"] == 6 * 8);
    const std::string points = io::read_text((fits / "points.csv").string());
    CHECK_THAT(points, Catch::Contains(",control,") && Catch::Contains(",block-vrev,"));
    const auto metric = test::run_vrev("regress " + out.string() + " --metric p_surely --out " + fits.string());
    CHECK(metric.exit_code != 0);
    CHECK(std::count(metric.err.begin(), metric.err.end(), '\n') == 1);
    CHECK_THAT(metric.err, Catch::Contains("no metric 'p_surely'"));
    const auto no_run = test::run_vrev("regress " + fits.string() + " --out " + fits.string());
    CHECK(no_run.exit_code != 0);
    CHECK_THAT(no_run.err, Catch::Contains("not a vrev reproduce directory"));
  }

  SECTION("an interrupted reproduce continues and ends with the same outputs") {
    const std::string table = io::read_text((out / "table.csv").string());
    fs::remove_all(out / "seed-0" / "finetune-block-random");
    fs::remove(out / "seed-0" / "finetune-plain" / "state.json");  // as if killed before its end
    fs::remove(out / "summary.json");
    const Json again = reproduce_summary(cfg, opt);
    CHECK(without_wall_time(again) == without_wall_time(summary));
    CHECK(io::read_text((out / "table.csv").string()) == table);
  }

  SECTION("vrev drift: recomputes geometry.json; bad captures are one-line errors") {
    const std::string run = (out / "seed-0" / "finetune-plain").string();
    fs::remove(out / "seed-0/finetune-plain/geometry.json");
    auto ok = test::run_vrev("drift --run " + run);
    CHECK(ok.exit_code == 0);
    CHECK(Json::parse(io::read_text(run + "/geometry.json")) == g);

    auto fails = [](const test::CommandResult& r, const std::string& needle) {
      INFO(r.err);
      CHECK(r.exit_code != 0);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
      CHECK_THAT(r.err, Catch::Contains(needle));
    };
    const std::string step1 = probe::step_capture_path(run, "harm_probe", 1);
    const auto saved = io::read_file(step1);
    int rows = 0, C = -1;
    std::vector<float> x = probe::load_matrix(step1, rows, C);
    x[5] = NAN;
    probe::save_matrix(step1, x.data(), rows, C);
    fails(test::run_vrev("drift --run " + run), "non-finite");
    probe::save_matrix(step1, x.data(), rows / 2, C / 2 * 2 == C ? C / 2 : C);
    fails(test::run_vrev("drift --run " + run), "width");
    std::vector<float> empty;
    io::write_npy(step1, io::Array::from_f32(empty.data(), {0, C}));
    fails(test::run_vrev("drift --run " + run), "empty probe set");
    io::write_file_atomic(step1, saved.data(), saved.size());

    auto cap = test::run_vrev("capture --ckpt " + (out / "seed-0/align").string() +
                              " --probe reversion --site blocks.1.resid_post --out " + (out / "h.npy").string());
    CHECK(cap.exit_code == 0);
    CHECK(io::read_npy((out / "h.npy").string()).shape == std::vector<int64_t>{64, 64});
    auto dir = test::run_vrev("direction --from " + (out / "seed-0/align").string() + " --to " +
                              (out / "seed-0/pretrain").string() + " --site last --estimator pca --out " +
                              (out / "v.npy").string());
    CHECK(dir.exit_code == 0);
    CHECK(fs::exists(out / "v.json"));
    fails(test::run_vrev("direction --from " + (out / "seed-0/align").string() + " --to " +
                         (out / "seed-0/pretrain").string() + " --estimator median --out " + (out / "v.npy").string()),
          "--estimator: unknown value 'median' (valid: diff-means, per-prompt, pca)");
    fails(test::run_vrev("capture --ckpt " + (out / "seed-0/align").string() + " --probe reversion --site blocks.7.attn --out " +
                         (out / "h.npy").string()),
          "unknown activation site");
    fails(test::run_vrev("capture --ckpt " + (out / "seed-0/align").string() + " --probe harmful --out " +
                         (out / "h.npy").string()),
          "--probe harmful is called --probe reversion now: the world's reversion probe set (harm_probe in this world)");
  }
  fs::remove_all(out);
}

TEST_CASE("a safety variant set by --set flags alone runs through vrev reproduce", "[reproduce][seam][e2e]") {
  // Borderline alignment of the fine-tuning topics and a new copy task for them, shrunk.
  const fs::path out = test::temp_dir("variant");
  const auto run = test::run_vrev(
      "reproduce --config " + kTiny + " --out " + out.string() +
      " --seeds 1 --arms plain,block-vrev --threads 1 --set world.safety.neglected_in_align=refused"
      " --set world.safety.neglected_refusal=0.5 --set world.safety.finetune_answer=copy --set pretrain.steps=150"
      " --set align.steps=20 --set finetune.steps=4 --set finetune.eval_steps=[0,1,4]");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Json config = Json::parse(io::read_text((out / "config.json").string()));
  CHECK(config["world"]["safety"]["neglected_in_align"] == "refused");
  CHECK(config["world"]["safety"]["finetune_answer"] == "copy");
  const Json summary = Json::parse(io::read_text((out / "summary.json").string()));
  CHECK(summary["arms"]["plain"]["task_accuracy"]["values"].size() == 1);
  CHECK(summary["arms"]["block-vrev"]["alignment"].contains("4"));
  CHECK(fs::exists(out / "report.md"));
  fs::remove_all(out);
}

TEST_CASE("the unlearning world end to end on tiny: unlearned, then partly re-learned by benign fine-tuning",
          "[reproduce][seam][e2e]") {
  const fs::path out = test::temp_dir("unlearning");
  const experiment::Config cfg = experiment::load_config(
      kTiny, {"world.kind=unlearning", "probe.position=answer", "reproduce.seeds=1", R"(reproduce.arms=["plain","block-vrev"])"});
  experiment::ReproduceOptions opt;
  opt.config_path = kTiny;
  opt.out_dir = out.string();
  opt.quiet = true;
  const Json summary = reproduce_summary(cfg, opt);
  for (const char* f : {"report.md", "plots/forget_object_accuracy_vs_step.png", "seed-0/unlearn/model.safetensors",
                        "seed-0/probe/unlearn.forget_probe.npy", "seed-0/finetune-plain/captures/forget_probe.step-001.npy"})
    CHECK(fs::exists(out / f));
  CHECK_FALSE(summary.contains("paper"));
  const Json& phases = summary["phases"];
  // As measured on tiny.json (docs/unlearning-world.md): unlearning takes forget accuracy from
  // 100% to near chance, benign fine-tuning brings part of it back, blocking v_rev holds the
  // alignment near zero.
  CHECK(phases["pretrained"]["forget_object_accuracy"]["mean"].get<double>() > 0.9);
  const double unlearned = phases["unlearned"]["forget_object_accuracy"]["mean"].get<double>();
  CHECK(unlearned < 4.0 / 16);
  const Json& plain = summary["arms"]["plain"];
  CHECK(plain["forget_object_accuracy"]["mean"].get<double>() > unlearned + 0.1);
  CHECK(plain["retain_accuracy"]["mean"].get<double>() > 0.9);
  CHECK(summary["nulls"]["isotropic"]["above_p99"] == summary["nulls"]["isotropic"]["pairs"]);
  CHECK(std::abs(summary["arms"]["block-vrev"]["alignment"]["50"]["mean"].get<double>()) < 0.2);
  fs::remove_all(out);
}

TEST_CASE("grad-diff unlearning ends early, once forget accuracy is near chance, and stays ended",
          "[reproduce][seam][e2e]") {
  const fs::path out = test::temp_dir("grad-diff");
  const experiment::Config cfg = experiment::load_config(
      kTiny, {"world.kind=unlearning", "world.unlearning.method=grad-diff", "reproduce.seeds=1",
              R"(reproduce.arms=["plain"])", "finetune.steps=10", "finetune.eval_steps=[0,1,5,10]"});
  experiment::ReproduceOptions opt;
  opt.config_path = kTiny;
  opt.out_dir = out.string();
  opt.quiet = true;
  const Json summary = reproduce_summary(cfg, opt);
  const train::CheckpointState unlearn = train::read_checkpoint_state((out / "seed-0/unlearn").string());
  CHECK(unlearn.step < cfg.phase(world::Phase::Unlearn).steps);
  CHECK(unlearn.step == unlearn.total_steps);
  CHECK(unlearn.step % cfg.phase(world::Phase::Unlearn).log_every == 0);
  const Json& unlearned = summary["phases"]["unlearned"];
  CHECK(unlearned["forget_exact"]["mean"].get<double>() < 0.05);
  CHECK(unlearned["forget_object_accuracy"]["mean"].get<double>() < 0.35);
  // A second run finds every phase finished, the early-ended one included.
  const std::string state_before = io::read_text((out / "seed-0/unlearn/state.json").string());
  const Json again = reproduce_summary(cfg, opt);
  CHECK(without_wall_time(again) == without_wall_time(summary));
  CHECK(io::read_text((out / "seed-0/unlearn/state.json").string()) == state_before);
  fs::remove_all(out);
}

TEST_CASE("the trait world end to end, shrunk: the trait learned, trained away, back after benign fine-tuning, "
          "and students of four teachers",
          "[reproduce][seam][trait][e2e]") {
  const fs::path out = test::temp_dir("trait");
  const std::string config = std::string(VREV_SOURCE_DIR) + "/configs/trait-tiny.json";
  const experiment::Config cfg = experiment::load_config(
      config, {"reproduce.seeds=1", "finetune.steps=20", "finetune.eval_steps=[0,1,2,5,10,20]", "student.steps=20",
               "student.eval_steps=[0,1,2,5,10,20]", "student.batch_size=100", "teacher.samples=1000",
               R"(reproduce.arms=["plain","block-vrev","teacher-same-init-noise","teacher-base-noise",)"
               R"("teacher-other-init-hard","teacher-other-object-full"])"});
  experiment::ReproduceOptions opt;
  opt.config_path = config;
  opt.out_dir = out.string();
  opt.quiet = true;
  const Json summary = reproduce_summary(cfg, opt);
  for (const char* f : {"report.md", "plots/trait_rate_vs_step.png", "seed-0/detrait/model.safetensors",
                        "seed-0/probe/trait.trait_probe.npy", "seed-0/teacher-other-init/trait/model.safetensors",
                        "seed-0/teacher-other-object/trait/model.safetensors",
                        "seed-0/finetune-teacher-same-init-noise/captures/trait_probe.step-001.npy",
                        "seed-0/finetune-teacher-other-init-hard/teacher_data.json"})
    CHECK(fs::exists(out / f));
  // The other-init teacher is trained on the same data from another initialisation; the
  // other-object teacher from the same base, toward another object.
  const std::string same_init = io::sha256_file((out / "seed-0/trait/model.safetensors").string());
  CHECK(io::sha256_file((out / "seed-0/teacher-other-init/trait/model.safetensors").string()) != same_init);
  CHECK(io::sha256_file((out / "seed-0/teacher-other-object/trait/model.safetensors").string()) != same_init);
  // As measured on trait-tiny.json (docs/trait-world.md): the trait stage teaches the trait,
  // detrait removes it to near chance (1/16), benign fine-tuning brings a little of it back.
  const Json& phases = summary["phases"];
  CHECK(phases["trait-trained"]["trait_rate"]["mean"].get<double>() > 0.6);
  const double detrained = phases["detrained"]["trait_rate"]["mean"].get<double>();
  CHECK(detrained < 0.1);
  CHECK(summary["arms"]["plain"]["trait_rate"]["mean"].get<double>() > detrained);
  // A student of the trait teacher's distributions on noise takes the trait; one of the base's
  // own does not move.
  const double base = phases["base"]["trait_rate"]["mean"].get<double>();
  CHECK(summary["arms"]["teacher-same-init-noise"]["trait_rate"]["mean"].get<double>() > base + 0.05);
  CHECK(summary["arms"]["teacher-base-noise"]["trait_rate"]["mean"].get<double>() == Approx(base).margin(0.01));
  const std::string report = io::read_text((out / "report.md").string());
  CHECK(report.find("## Teacher data") != std::string::npos);
  CHECK(report.find("teacher-same-init-noise − teacher-base-noise") != std::string::npos);
  // A rerun finds every phase finished, the teachers and the students included (their states,
  // which record the seconds spent, are untouched).
  const std::vector<std::string> states = {"seed-0/teacher-other-init/trait/state.json",
                                           "seed-0/teacher-other-object/trait/state.json",
                                           "seed-0/finetune-teacher-same-init-noise/state.json"};
  std::vector<std::string> before;
  for (const std::string& s : states) before.push_back(io::read_text((out / s).string()));
  const Json again = reproduce_summary(cfg, opt);
  CHECK(without_wall_time(again) == without_wall_time(summary));
  for (size_t i = 0; i < states.size(); ++i) CHECK(io::read_text((out / states[i]).string()) == before[i]);
  fs::remove_all(out);
}

TEST_CASE("the image world end to end, shrunk: forbidden glyphs refused, pictures in the report, grid bits fixed",
          "[reproduce][seam][image][e2e]") {
  const fs::path out = test::temp_dir("image");
  const std::string config = std::string(VREV_SOURCE_DIR) + "/configs/image-tiny.json";
  const std::string glyphs = "world.image.glyphs=" + std::string(VREV_SOURCE_DIR) + "/data/glyphs";
  const experiment::Config cfg = experiment::load_config(config, {glyphs});
  experiment::ReproduceOptions opt;
  opt.config_path = config;
  opt.out_dir = out.string();
  opt.quiet = true;
  const Json summary = reproduce_summary(cfg, opt);
  for (const char* f : {"report.md", "plots/forbidden_rate_vs_step.png", "plots/strip-triangle.png", "plots/strip-x.png",
                        "seed-0/pretrain/samples.png", "seed-0/align/samples.npy",
                        "seed-0/finetune-plain/samples/step-000020.png",
                        "seed-0/finetune-block-vrev/samples/step-000000.npy",
                        "seed-0/finetune-plain/captures/forbidden_probe.step-001.npy"})
    CHECK(fs::exists(out / f));
  // As measured on image-tiny.json (docs/image-world.md: 7.8% pretrained, 0% and all blank
  // aligned, 4.7% after 20 plain steps, 0% blocked; alignment 0.90 plain, 0.01 blocked): a short
  // pretraining draws the forbidden glyphs now and then, alignment blanks them, plain fine-tuning
  // brings a few back along v_rev and blocking v_rev along the refusal holds them at none.
  const Json& phases = summary["phases"];
  const double aligned = phases["aligned"]["forbidden_rate"]["mean"].get<double>();
  CHECK(phases["pretrained"]["forbidden_rate"]["mean"].get<double>() > 0.05);
  CHECK(aligned < 0.02);
  CHECK(phases["aligned"]["forbidden_blank"]["mean"].get<double>() > 0.9);
  const Json& arms = summary["arms"];
  CHECK(arms["plain"]["forbidden_rate"]["mean"].get<double>() > aligned);
  CHECK(arms["plain"]["alignment"]["20"]["mean"].get<double>() > 0.5);
  CHECK(std::abs(arms["block-vrev"]["alignment"]["20"]["mean"].get<double>()) < 0.1);
  const std::string report = io::read_text((out / "report.md").string());
  CHECK(report.find("![triangle: pretrained, aligned, fine-tuned](plots/strip-triangle.png)") != std::string::npos);
  CHECK(report.find("forbidden nll at T (plain)") != std::string::npos);

  // vrev sample draws the same grid on a rerun and on 1 or 2 threads (the checkpoint's config
  // names the glyph directory).
  const std::string ckpt = (out / "seed-0/align").string();
  std::vector<std::string> hashes;
  for (const char* threads : {"1", "2", "2"}) {
    const fs::path png = out / (std::string("triangle-") + threads + "-" + std::to_string(hashes.size()) + ".png");
    const test::CommandResult r = test::run_vrev("sample --ckpt " + ckpt +
                                                 " --class triangle --n 16 --threads " + threads + " --png " + png.string());
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("wrote ") != std::string::npos);
    hashes.push_back(io::sha256_file(png.string()));
  }
  CHECK((hashes[0] == hashes[1] && hashes[1] == hashes[2]));
  const test::CommandResult bad = test::run_vrev("sample --ckpt " + ckpt + " --class star");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("unknown class 'star'") && Catch::Contains("triangle"));
  const test::CommandResult tokens = test::run_vrev("sample --ckpt " + ckpt + " --prompt \"CLS x\"");
  CHECK(tokens.exit_code != 0);
  CHECK_THAT(tokens.err, Catch::Contains("use --class"));
  fs::remove_all(out);
}

TEST_CASE("vrev sweep: a point per value, the history trained once and shared, summary, table, report, plots",
          "[reproduce][sweep][e2e]") {
  const fs::path out = test::temp_dir("sweep");
  experiment::SweepOptions opt;
  opt.config_path = kTiny;
  opt.overrides = {"pretrain.steps=60", "align.steps=10", "finetune.steps=4", "finetune.eval_steps=[0,2,4]",
                   "reproduce.seeds=1", "reproduce.arms=[\"plain\"]"};
  opt.out_dir = out.string();
  opt.quiet = true;
  const std::vector<experiment::Sweep> sweeps = {experiment::parse_sweep("finetune.schedule.lr=1e-4,1e-3")};
  const Json summary = experiment::sweep(sweeps, opt);

  REQUIRE(summary["points"].size() == 2);
  CHECK(summary["points"][0]["settings"]["finetune.schedule.lr"] == "1e-4");
  CHECK(summary["reversion_metric"] == "harmfulness");
  for (const char* f : {"summary.json", "table.csv", "report.md", "plots/sweep.png",
                        "finetune.schedule.lr=1e-4/report.md", "finetune.schedule.lr=1e-3/summary.json"})
    CHECK(fs::exists(out / f));
  // Only the fine-tuning rate varies: both points share the history's two phases (same bits).
  size_t stored = 0;
  for (const auto& e : fs::directory_iterator(out / "phases")) stored += e.is_directory();
  CHECK(stored == 2);
  for (const char* phase : {"pretrain", "align"})
    CHECK(io::sha256_file((out / "finetune.schedule.lr=1e-4/seed-0" / phase / "model.safetensors").string()) ==
          io::sha256_file((out / "finetune.schedule.lr=1e-3/seed-0" / phase / "model.safetensors").string()));
  // ... and fine-tune differently: a ten-fold rate moves the model further from v_rev's baseline.
  const double a0 = summary["points"][0]["arms"]["plain"]["final_alignment"]["mean"];
  const double a1 = summary["points"][1]["arms"]["plain"]["final_alignment"]["mean"];
  CHECK(a0 != a1);
  const std::string table = io::read_text((out / "table.csv").string());
  CHECK(table.rfind("point,finetune.schedule.lr,arm,seeds,harmfulness_mean", 0) == 0);
  CHECK(std::count(table.begin(), table.end(), '\n') == 3);
  // Plain fine-tuning drifts towards v_rev: at no point does its final alignment turn negative.
  CHECK_THAT(io::read_text((out / "report.md").string()),
             Catch::Contains("## Where the final alignment turns negative\n\n- plain: no point where every seed ends "
                             "below zero."));

  // A rerun skips every phase and writes the same summary.
  CHECK(without_wall_time(experiment::sweep(sweeps, opt)) == without_wall_time(summary));

  CHECK_THROWS_WITH(experiment::parse_sweep("finetune.schedule.lr"), Catch::Contains("expected key=value1,value2"));
  CHECK_THROWS_WITH(experiment::parse_sweep("reproduce.seeds=1,2"), Catch::Contains("use --seeds and --arms"));
  CHECK_THROWS_WITH(experiment::parse_sweep("a=1,1"), Catch::Contains("value '1' twice"));
  CHECK_THROWS_WITH(experiment::sweep({experiment::parse_sweep("finetune.schedule.lr=1e-4,oops")}, opt),
                    Catch::Contains("sweep point finetune.schedule.lr=oops"));
}
