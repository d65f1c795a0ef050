// Writing report.md and its plots.
#include "experiment/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/io.h"
#include "experiment/arm.h"
#include "experiment/pictures.h"
#include "experiment/published_figures.h"
#include "experiment/run_layout.h"
#include "experiment/verdicts.h"
#include "model/sites.h"
#include "probe/nulls.h"
#include "probe/statistics.h"
#include "plot/plot.h"

namespace vrev::experiment {

namespace fs = std::filesystem;
using Json = settings::Json;
using plot::palette;
using plot::Plot;

namespace {

std::string num(double x, int digits = 2) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, x);
  return b;
}
// Ours over seeds: "mean ± sd", or the value alone for one seed (no spread); "" where there is none.
std::string pm(const probe::SeedStats* stats, int digits = 2) {
  if (!stats) return "";
  return num(stats->mean, digits) + (stats->values.size() == 1 ? "" : " ± " + num(stats->sd, digits));
}
// A published figure {"mean", "sd"} (published_figures.h); "" where there is none.
std::string pm(const Json& figure, int digits = 2) {
  if (!figure.is_object() || !figure.contains("mean")) return "";
  return num(figure["mean"].get<double>(), digits) + " ± " + num(figure["sd"].get<double>(), digits);
}
// Percentages below 10% get a decimal: the trait world's effects are a few points. A negative sd
// leaves the ± term out (one seed).
std::string pct(double mean, double sd) {
  const int digits = std::abs(mean) < 0.1 ? 1 : 0;
  return num(100 * mean, digits) + "%" + (sd < 0 ? "" : " ± " + num(100 * sd, digits) + "%");
}
std::string pct(const probe::SeedStats* stats) {
  return stats ? pct(stats->mean, stats->values.size() == 1 ? -1.0 : stats->sd) : "";
}
std::string pct(const Json& figure) {
  if (!figure.is_object() || !figure.contains("mean")) return "";
  return pct(figure["mean"].get<double>(), figure["sd"].get<double>());
}
// The same rule for per-seed values at hand: "mean ± sd" times `scale`, or the one value alone.
std::string pm(const std::vector<double>& values, int digits = 2, double scale = 1.0) {
  const auto [mean, sd] = probe::mean_sd(values);
  return num(scale * mean, digits) + (values.size() == 1 ? "" : " ± " + num(scale * sd, digits));
}
std::string pct(const std::vector<double>& values) {
  const auto [mean, sd] = probe::mean_sd(values);
  return pct(mean, values.size() == 1 ? -1.0 : sd);
}
const Json& get(const Json& j, const std::string& a, const std::string& b) {
  static const Json none;
  return j.is_object() && j.contains(a) && j[a].is_object() && j[a].contains(b) ? j[a][b] : none;
}
const Json& get(const Json& j, const std::string& a) {
  static const Json none;
  return j.is_object() && j.contains(a) ? j[a] : none;
}
// "task_accuracy" -> "task accuracy"
std::string label(std::string metric) {
  for (char& c : metric)
    if (c == '_') c = ' ';
  return metric;
}

// Where the decision is read (probe/readout.h): how close v_rev is to the readout direction r at
// each site, and whether the drift still follows v_rev once r is projected out.
std::string readout_section(const Config& cfg, const ReadoutSummary& readout, int64_t T) {
  std::string md = "\n## The readout direction\n\nr = the gradient of (logit SURE − logit SORRY) at ASST with respect "
                   "to the residual stream, averaged over the reversion probe set at the aligned model "
                   "(docs/mechanism.md). If the drift were only the decision being re-taught, v_rev would add "
                   "nothing over r.\n\n| site | cos(v_rev, r) |\n|---|---|\n";
  for (const auto& [site, stats] : readout.cos_v_rev_per_site.entries) md += "| `" + site + "` | " + pm(&stats) + " |\n";
  md += "\nAt the probe site, per arm, steps 1 / 20 / T:\n\n| arm | cos(drift, r) | cos(drift, v_rev) with r "
        "projected out of both |\n|---|---|---|\n";
  for (const std::string& arm : cfg.reproduce.arms) {
    const ReadoutSummary::Arm* a = readout.arms.find(arm);
    std::string with_r, without_r;
    for (const int64_t step : {int64_t(1), int64_t(20), T}) {
      with_r += (with_r.empty() ? "" : " / ") + (a ? pm(at_step(a->alignment, step)) : "");
      without_r += (without_r.empty() ? "" : " / ") + (a ? pm(at_step(a->v_rev_alignment_without_readout, step)) : "");
    }
    md += "| " + arm + " | " + with_r + " | " + without_r + " |\n";
  }
  return md;
}

std::vector<double> column(const Json& array) {
  std::vector<double> v;
  for (const Json& x : array) v.push_back(x.is_number() ? x.get<double>() : NAN);
  return v;
}

// A null's legend entry in words: "control fine-tunes, 99th percentile".
std::string null_legend(const std::string& null) {
  return std::string(probe::null_in_words(settings::parse_name<probe::NullKind>(null, "null"))) + ", 99th percentile";
}

// Short site names for a plot's axis: "blocks.1.resid_post" -> "b1.post".
std::string short_site(std::string site) {
  if (site.rfind("blocks.", 0) == 0) site = "b" + site.substr(7);
  for (const auto& [from, to] : {std::pair<std::string, std::string>{".resid_mid", ".mid"}, {".resid_post", ".post"}}) {
    const size_t at = site.find(from);
    if (at != std::string::npos) site.replace(at, from.size(), to);
  }
  return site;
}

void plot_alignment(const std::string& path, const Config& cfg, const SeedResults& results) {
  std::vector<Plot> panels;
  for (size_t a = 0; a < cfg.reproduce.arms.size(); ++a) {
    const std::string& arm = cfg.reproduce.arms[a];
    Plot p;
    p.title = "cos(drift, v_rev): " + arm;
    p.x_label = "fine-tuning step";
    p.y_label = "alignment";
    p.width = 960;
    p.height = 420;
    p.y_range = std::make_pair(-0.6, 1.0);
    p.legend = plot::LegendPlace::outside;
    std::vector<double> steps, mean;
    std::map<std::string, std::vector<double>> null_mean;
    for (const SeedResult& r : results) {
      const Json& g = r.arms.at(arm).geometry;
      steps = column(g["steps"]);
      const std::vector<double> y = column(g["alignment"]);
      p.series.push_back({"", steps, y, palette(a), 1.0f});
      mean.resize(y.size(), 0.0);
      for (size_t i = 0; i < y.size(); ++i) mean[i] += y[i] / results.size();
      for (const auto& [kind, n] : enum_names(probe::NullKind{})) {
        if (!g["nulls"][n]["p99"].is_array()) continue;
        std::vector<double> v = column(g["nulls"][n]["p99"]);
        auto& m = null_mean[n];
        m.resize(v.size(), 0.0);
        for (size_t i = 0; i < v.size(); ++i) m[i] += v[i] / results.size();
      }
    }
    size_t k = 4;
    for (const auto& [name, m] : null_mean) p.series.push_back({null_legend(name), steps, m, palette(k++), 1.5f, true});
    p.series.push_back({"mean of " + std::to_string(results.size()) + " seeds", steps, mean, palette(a), 3.0f});
    panels.push_back(std::move(p));
  }
  plot::write_png_grid(path, panels, 2);
}

void plot_reversion(const std::string& path, const Config& cfg, const std::string& metric,
                    const SeedResults& results) {
  Plot p;
  p.title = label(metric) + " during benign fine-tuning (thin: seeds, bold: mean)";
  p.x_label = "fine-tuning step";
  p.y_label = label(metric) + " (%)";
  p.y_range = std::make_pair(0.0, 100.0);
  p.legend = plot::LegendPlace::outside;
  for (size_t a = 0; a < cfg.reproduce.arms.size(); ++a) {
    const std::string& arm = cfg.reproduce.arms[a];
    std::vector<double> steps, mean;
    for (const SeedResult& r : results) {
      const Json& m = r.arms.at(arm).metrics;
      steps = column(m["steps"]);
      std::vector<double> y = column(m[metric]);
      for (double& v : y) v *= 100;
      p.series.push_back({"", steps, y, palette(a), 1.0f});
      mean.resize(y.size(), 0.0);
      for (size_t i = 0; i < y.size(); ++i) mean[i] += y[i] / results.size();
    }
    p.series.push_back({arm, steps, mean, palette(a), 3.0f, false, true});
  }
  plot::write_png(path, p);
}

void plot_layers(const std::string& path, const Config& cfg, const SeedResults& results) {
  Plot p;
  p.title = "alignment at each activation site at the last step (thin: seeds, bold: mean)";
  p.x_label = "site (bN.mid: block N after attention; bN.post: after its MLP)";
  p.y_label = "cos(drift, v_rev at that site)";
  p.y_range = std::make_pair(-1.0, 1.0);
  p.legend = plot::LegendPlace::outside;
  const int S = model::num_sites(cfg.model.layers);
  std::vector<double> x(S);
  for (int s = 0; s < S; ++s) x[s] = s;
  const std::vector<std::string> names = model::site_names(cfg.model.layers);
  for (const std::string& name : names) p.x_categories.push_back(short_site(name));
  p.width = std::max(p.width, 120 + 70 * S);
  for (size_t a = 0; a < cfg.reproduce.arms.size(); ++a) {
    const std::string& arm = cfg.reproduce.arms[a];
    std::vector<double> mean(S, 0.0);
    for (const SeedResult& r : results) {
      std::vector<double> y(S);
      for (int s = 0; s < S; ++s) y[s] = r.arms.at(arm).geometry["per_site_alignment"][names[s]].back().get<double>();
      p.series.push_back({"", x, y, palette(a), 1.0f});
      for (int s = 0; s < S; ++s) mean[s] += y[s] / results.size();
    }
    p.series.push_back({arm, x, mean, palette(a), 3.0f, false, true});
  }
  plot::write_png(path, p);
}

// The reversion metric at the end of an arm, per seed; "detrained" (the history's end) too.
std::vector<double> final_per_seed(const SeedResults& results, const std::string& arm, const std::string& metric) {
  std::vector<double> v;
  for (const SeedResult& r : results)
    v.push_back(arm.empty() ? r.history.back()[metric].get<double>() : r.arms.at(arm).metrics[metric].back().get<double>());
  return v;
}

// Every site's alignment at the last step, per arm (mean ± sd over seeds), beside cos(v_rev, r):
// where the history's direction lives, and whether the probe site was a lucky choice.
std::string per_site_section(const Config& cfg, const RunSummary& summary, const SeedResults& results) {
  const std::vector<std::string> names = model::site_names(cfg.model.layers);
  const bool readout = summary.readout.has_value();
  std::string md = "\n## Every site\n\ncos(drift, v_rev at that site) at the last step, per arm (mean ± sd over seeds); "
                   "the probe site is `" + names[size_t(cfg.probe.site_index(cfg.model.layers))] + "`; the blocked arms act at `" +
                   names[size_t(cfg.blocking.site_index(cfg.probe.site_index(cfg.model.layers), cfg.model.layers))] +
                   "`.\n\n| site |";
  std::string rule = "|---|";
  for (const std::string& arm : cfg.reproduce.arms) md += " " + arm + " |", rule += "---|";
  if (readout) md += " cos(v_rev, r) |", rule += "---|";
  md += "\n" + rule + "\n";
  for (const std::string& site : names) {
    md += "| `" + site + "` |";
    for (const std::string& arm : cfg.reproduce.arms) {
      std::vector<double> v;
      for (const SeedResult& r : results) v.push_back(r.arms.at(arm).geometry["per_site_alignment"][site].back());
      md += " " + pm(v) + " |";
    }
    if (readout) md += " " + pm(summary.readout->cos_v_rev_per_site.find(site)) + " |";
    md += "\n";
  }
  const std::string plain_arm = settings::name_of(ArmBlocking::none);
  const bool nulls = std::find(cfg.reproduce.arms.begin(), cfg.reproduce.arms.end(), plain_arm) != cfg.reproduce.arms.end() &&
                     std::all_of(results.begin(), results.end(), [&](const SeedResult& r) {
                       return r.arms.at(plain_arm).geometry.contains("per_site_nulls");
                     });
  if (!nulls) return md;
  // The plain arm at T against each null drawn at that site: where the history's direction beats them.
  md += "\nThe plain arm at T against each null drawn at that site: the mean over seeds of each p99 (of the "
        "controls: the largest of the seed's runs), and on how many seeds the drift clears it.\n\n"
        "| site | plain | isotropic p99 | anisotropic p99 | label-shuffle p99 | controls' largest | seeds above: "
        "isotropic / anisotropic / label-shuffle / every control |\n|---|---|---|---|---|---|---|\n";
  for (const std::string& site : names) {
    double mean[4] = {0, 0, 0, 0}, plain = 0;
    int above[4] = {0, 0, 0, 0};
    bool controls = true;
    for (const SeedResult& r : results) {
      const Json& n = r.arms.at(plain_arm).geometry["per_site_nulls"]["sites"][site];
      const double a = n["alignment"].get<double>();
      plain += a / double(results.size());
      std::vector<double> values;
      for (const probe::NullKind kind : probe::kDrawnNulls) values.push_back(n[probe::p99_key(kind)].get<double>());
      values.push_back(-1.0);  // the largest control, below
      controls = controls && !n["control_values"].empty();
      for (const Json& c : n["control_values"]) values[3] = std::max(values[3], c.get<double>());
      for (int k = 0; k < 4; ++k) mean[k] += values[size_t(k)] / double(results.size()), above[k] += a > values[size_t(k)];
    }
    md += "| `" + site + "` | " + num(plain) + " |";
    for (int k = 0; k < 4; ++k) md += " " + (k < 3 || controls ? num(mean[k]) : std::string("–")) + " |";
    md += " ";
    for (int k = 0; k < 4; ++k)
      md += (k ? " / " : "") + (k < 3 || controls ? std::to_string(above[k]) : std::string("–"));
    md += " of " + std::to_string(results.size()) + " |\n";
  }
  return md;
}

// "+1.2 ± 0.8 points (3 of 5 seeds above)": per-seed paired differences a - b.
std::string paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d(a.size());
  int above = 0;
  for (size_t i = 0; i < a.size(); ++i) above += (d[i] = a[i] - b[i]) > 0;
  const double mean = probe::mean_sd(d).mean;
  return (mean >= 0 ? "+" : "") + pm(d, 1, 100.0) + " points (" +
         std::to_string(above) + " of " + std::to_string(d.size()) + (d.size() == 1 ? " seed above)" : " seeds above)");
}

// A behaviour metric after one phase of the history, per seed.
std::vector<double> phase_per_seed(const SeedResults& results, size_t phase_index, const std::string& metric) {
  std::vector<double> v;
  for (const SeedResult& r : results) v.push_back(r.history[phase_index][metric].get<double>());
  return v;
}

// The share of a teacher's samples the filter kept, over seeds ("" for noise: nothing sampled).
std::string kept_share(const RunLayout& layout, const SeedResults& results, const std::string& arm) {
  double kept = 0, drawn = 0;
  for (const SeedResult& r : results) {
    const Json record = Json::parse(io::read_text((fs::path(layout.seed(r.seed).arm(arm)) / kTeacherDataFile).string()));
    kept += record["examples"].get<double>();
    drawn += record["samples_drawn"].get<double>();
  }
  return drawn > 0 ? num(100 * kept / drawn, 0) + "%" : "";
}

// The students' reversion metric at the end, one panel per kind of label: a point per teacher,
// a thin line per seed and a bold one for the mean; transfer is the same-init point above the rest.
void plot_transfer(const std::string& path, const std::vector<Arm>& teachers, const std::string& metric,
                   const SeedResults& results) {
  std::vector<Plot> panels;
  for (const auto& [labels, label_name] : enum_names(world::TeacherLabels{})) {
    Plot p;
    p.title = std::string(label_name) + " labels (thin: seeds, bold: mean)";
    p.x_label = "teacher";
    p.y_label = label(metric) + " at the end (%)";
    p.y_range = std::make_pair(0.0, 100.0);
    std::vector<double> x, mean;
    std::vector<std::vector<double>> per_seed(results.size());
    for (const Arm& arm : teachers) {
      if (arm.labels != labels) continue;
      x.push_back(double(p.x_categories.size()));
      p.x_categories.push_back(settings::name_of(arm.teacher));
      const std::vector<double> v = final_per_seed(results, arm.name, metric);
      double sum = 0;
      for (size_t s = 0; s < v.size(); ++s) per_seed[s].push_back(100 * v[s]), sum += 100 * v[s];
      mean.push_back(sum / double(v.size()));
    }
    if (x.empty()) continue;
    for (size_t s = 0; s < per_seed.size(); ++s) p.series.push_back({"", x, per_seed[s], palette(s), 1.0f, false, true});
    p.series.push_back({"mean", x, mean, {0, 0, 0}, 3.0f, false, true});
    panels.push_back(std::move(p));
  }
  plot::write_png_grid(path, panels, 2);
}

// The students: does a teacher's trait reach the base through data that never name it, and only
// from a teacher that shares the student's initialisation and has that trait?
std::string teacher_section(const Config& cfg, const world::World& world, const Named<ArmSummary>& arms, const SeedResults& results,
                            const RunLayout& layout) {
  const std::string& rev = world.metric_roles().reversion;
  const world::Phase base_phase = *world::parent_phase(world, world::Phase::Student);
  const std::vector<world::Phase> history = world.history();
  const size_t base_index = size_t(std::find(history.begin(), history.end(), base_phase) - history.begin());
  const std::string base = world::phase_outcome_name(base_phase);
  const PhaseConfig& student = cfg.phase(world::Phase::Student);
  const double epochs = double(student.steps) * student.batch_size / cfg.teacher.samples;
  const std::vector<std::string> formats = {"fav_format", "fav_object_mass"};
  std::string md = "\n## Teacher data\n\nEach teacher arm trains the " + base + " model (the teacher's start) on a "
                   "teacher's outputs (docs/trait-world.md): " + std::to_string(cfg.teacher.samples) +
                   " examples, " + num(epochs, 1) + " epochs (" + std::to_string(student.steps) + " steps of " +
                   std::to_string(student.batch_size) + "). " + label(rev) + " and the answer format at T = " +
                   std::to_string(student.steps) + ", mean ± sd over seeds; the share of the teacher's samples the "
                   "filter kept:\n\n| arm | " + label(rev);
  for (const std::string& f : formats) md += " | " + label(f);
  md += " | samples kept |\n|---|---|---|---|---|\n| " + base + " (before training) | " +
        pct(phase_per_seed(results, base_index, rev));
  for (const std::string& f : formats) md += " | " + pct(phase_per_seed(results, base_index, f));
  md += " | |\n";
  std::vector<Arm> teachers;
  for (const std::string& name : cfg.reproduce.arms) {
    const Arm arm = parse_arm(name);
    if (arm.teacher == ArmTeacher::none) continue;
    teachers.push_back(arm);
    const ArmSummary& summary = *arms.find(arm.name);
    md += "| " + arm.name + " | " + pct(summary.final_metrics.find(rev));
    for (const std::string& f : formats) md += " | " + pct(summary.final_metrics.find(f));
    md += " | " + kept_share(layout, results, arm.name) + " |\n";
  }
  plot_transfer((layout.plots() / "transfer.png").string(), teachers, rev, results);
  md += "\n![transfer](plots/transfer.png)\n\n*" + label(rev) +
        " of each student at the end, by teacher, one panel per kind of label. Thin lines: one seed each; bold: their "
        "mean. A trait passed on through the teacher's outputs shows as the same-init point above the others.*\n";
  md += "\nTransfer: the same-init student minus each control student, per seed, with the exact one-sided sign "
        "test over seeds (with 5 seeds the smallest p is 1/32):\n\n| comparison | " + label(rev) +
        " | sign test p |\n|---|---|---|\n";
  auto compare = [&](const std::string& a, const std::string& b, const std::vector<double>& b_values) {
    const std::vector<double> a_values = final_per_seed(results, a, rev);
    std::vector<double> d(a_values.size());
    for (size_t i = 0; i < d.size(); ++i) d[i] = a_values[i] - b_values[i];
    md += "| " + a + " − " + b + " | " + paired_difference(a_values, b_values) + " | " +
          num(probe::sign_test(d).p, 3) + " |\n";
  };
  for (const Arm& same : teachers) {
    if (same.teacher != ArmTeacher::same_init) continue;
    compare(same.name, base, phase_per_seed(results, base_index, rev));
    for (const Arm& other : teachers)
      if (other.labels == same.labels && other.teacher != ArmTeacher::same_init)
        compare(same.name, other.name, final_per_seed(results, other.name, rev));
  }
  return md;
}

// The image world's pictures of seed 0: a strip per reversion class (pretrained, aligned and each
// arm fine-tuned, the same sampling counters everywhere), and each arm's grid at the last step.
std::string pictures_section(const Config& cfg, const world::World& world, const RunLayout& layout) {
  const SeedLayout seed0 = layout.seed(0);
  StripSource src;
  src.reference_dir = seed0.phase(world.reference_phase());
  src.last_dir = seed0.phase(world.history().back());
  src.reference_name = world::phase_outcome_name(world.reference_phase());
  src.last_name = world::phase_outcome_name(world.history().back());
  src.step = *std::max_element(cfg.phase(world::Phase::Finetune).eval_steps.begin(), cfg.phase(world::Phase::Finetune).eval_steps.end());
  for (const std::string& arm : cfg.reproduce.arms) src.arms.emplace_back(arm, seed0.arm(arm));
  std::string md = "\n## Pictures (seed 0)\n\nSamples at temperature 1 from the same counters in every picture, so "
                   "two pictures differ only by the model that drew them. For each class the " +
                   label(world.metric_roles().reversion) + " counts: the " + src.reference_name + " model, the " + src.last_name + " model, and each arm after " +
                   std::to_string(src.step) + " fine-tuning steps.\n\n";
  for (const std::string& cls : world.image_classes(true)) {
    const std::string file = "strip-" + cls + ".png";
    write_strip(world, cls, src, (layout.plots() / file).string());
    md += "![" + cls + ": " + src.reference_name + ", " + src.last_name + ", fine-tuned](plots/" + file + ")\n\n";
  }
  md += "Every class, each arm at step " + std::to_string(src.step) + " (every evaluation step: `seed-0/finetune-<arm>/samples/`):\n\n";
  for (const auto& [arm, dir] : src.arms) {
    const std::string rel = fs::relative(step_samples_stem(dir, src.step) + ".png", layout.dir()).string();
    md += "![" + arm + "](" + rel + ")\n";
  }
  return md;
}

// How the report names a null.
std::string null_label(const Config& cfg, probe::NullKind null) {
  switch (null) {
    case probe::NullKind::LabelShuffle: return std::string("label-shuffle (") + settings::name_of(cfg.probe.shuffle) + ")";
    case probe::NullKind::ControlFinetune:
      return "control fine-tuning (" + std::to_string(cfg.reproduce.controls) + " runs per seed, pooled)";
    default: return settings::name_of(null);
  }
}

// What every section of report.md reads: the run's settings, its summary and its seeds.
struct ReportInputs {
  const Config& cfg;
  const world::World& world;
  const std::string& config_path;
  const RunSummary& s;
  const SeedResults& results;     // the headline seeds: those that pass the pretraining gate
  const SeedResults& every_seed;  // for the per-seed table
  world::MetricRoles roles = world.metric_roles();
  std::string rev = roles.reversion;
  std::string reversion_plot = rev + "_vs_step.png";
  int T = cfg.phase(world::Phase::Finetune).steps;
  std::string final_key = std::to_string(T);
  std::string plain = settings::name_of(ArmBlocking::none);
  const Named<ArmSummary>& arms = s.arms;
  const Json& paper = s.paper;  // the paper's and the reference's figures: safety world only
  const Json& ref = s.reference;
  bool ran(const std::string& arm) const { return arms.find(arm) != nullptr; }
  const ArmSummary& arm(const std::string& name) const { return *arms.find(name); }
};

// The title, the config, the seeds and arms, the time.
std::string header_section(const ReportInputs& in) {
  std::string md = "# Fine-tuning reversion, reproduced by vrev\n\n";
  md += "Config `" + in.config_path + "` (world `" + settings::name_of(in.cfg.world.kind) + "`), " +
        std::to_string(in.results.size()) + " seeds, arms: ";
  for (const std::string& a : in.cfg.reproduce.arms) md += "`" + a + "` ";
  md += "\nTime: " + num(in.s.training_seconds, 0) +
        " s of training (every phase and run, summed over units, earlier invocations included); this invocation "
        "took " + num(in.s.wall_seconds, 0) + " s.\n\n";
  return md;
}

// Which seeds the pretraining gate left out, and what that means for the rest of the report.
std::string gate_section(const ReportInputs& in) {
  const GateOutcome& gate = in.s.gate;
  if (gate.failed.empty()) return "";
  const bool one = gate.failed.size() == 1;
  std::string md = "**Pretraining gate** (`reproduce.gate`, fixed before any result: " + gate.rule + (one ? "): seed" : "): seeds");
  for (size_t i = 0; i < gate.failed.size(); ++i)
    md += (i ? ", " : " ") + std::to_string(gate.failed[i]) + " (" + num(100 * gate.failed_values[i], 1) + "%)";
  md += gate.passed.empty() ? std::string(one ? " fails it" : " fail it") +
                                  ", as does every seed, so the headline uses every seed.\n\n"
                            : std::string(one ? " fails it: it is" : " fail it: they are") +
                                  " left out of every mean, plot and headline test below, listed in the per-seed "
                                  "table, and the verdicts are also given over every seed.\n\n";
  return md;
}

// Whose figures the table's columns hold.
std::string columns_note(const ReportInputs& in) {
  std::string md;
  const std::vector<std::string>& differences = in.s.main_track_differences;
  if (!differences.empty()) {
    md += "Settings that differ from the main track (configs/safety.json), whose protocol the paper's and the reference "
          "implementation's figures belong to:";
    for (const std::string& d : differences) md += " `" + d + "`;";
    md.back() = '.';
    md += " Their columns are left empty.\n\n";
  }
  md += in.paper.is_null()
            ? std::string(!differences.empty() ? "" : "The paper and the reference implementation give no figures "
                                                        "for this world, so only vrev's column is filled: ") +
                  "vrev: this run, mean ± sd over seeds (per-seed values below and in summary.json).\n\n"
            : "Paper: the 2026 paper's figures. Reference: an independent implementation of the safety world (" +
                  in.ref["seeds"].dump() + " seeds, about " + in.ref["seconds_per_seed"].dump() +
                  " s per seed on 2 cores). vrev: this run, mean ± sd over seeds (per-seed values below and in "
                  "summary.json).\n\n";
  return md;
}

// The plain arm's mean of a per-step geometry series at steps 1 / 20 / T ("–" where a seed lacks the step).
std::string plain_series_at_steps(const ReportInputs& in, const char* key) {
  std::string values;
  for (const int64_t step : {int64_t(1), int64_t(20), int64_t(in.T)}) {
    std::vector<double> per_seed;
    for (const SeedResult& r : in.results) {
      const Json& g = r.arms.at(in.plain).geometry;
      for (size_t i = 0; i < g["steps"].size(); ++i)
        if (g["steps"][i].get<int64_t>() == step) per_seed.push_back(g[key][i].get<double>());
    }
    double mean = 0;
    for (double v : per_seed) mean += v / per_seed.size();
    values += (values.empty() ? "" : " / ") + (per_seed.size() == in.results.size() ? num(mean) : "–");
  }
  return values;
}

// The headline table: ours beside the paper's and the reference's figures, quantity by quantity.
std::string headline_table(const ReportInputs& in) {
  const Config& cfg = in.cfg;
  const Json& paper = in.paper;
  const Json& ref = in.ref;
  const std::string& rev = in.rev;
  const std::string& plain = in.plain;
  std::string md = "| quantity | paper | reference | vrev |\n|---|---|---|---|\n";
  auto row = [&](const std::string& q, const std::string& p, const std::string& r, const std::string& v) {
    md += "| " + q + " | " + p + " | " + r + " | " + v + " |\n";
  };
  if (in.ran(plain)) {
    for (const std::string step : {"1", "20"}) {
      const std::string quantity = "alignment_step_" + step;
      row((step == "1" ? "alignment after step 1 (" : "alignment at step 20 (") + plain + ")",
          pm(paper_figure_of_arm(paper, quantity, plain)), pm(get(ref, quantity, plain)),
          pm(at_step(in.arm(plain).alignment, std::stoll(step))));
    }
    // Much of a middle phase's shift can be shared with benign prompts: the drift of the
    // reversion set minus the benign set's, against v_rev, separates what is specific to it.
    row("benign drift vs v_rev, steps 1 / 20 / T (" + plain + ", mean)", "", "",
        plain_series_at_steps(in, "benign_alignment"));
    row("reversion-set minus benign drift vs v_rev, steps 1 / 20 / T (" + plain + ", mean)", "", "",
        plain_series_at_steps(in, "harmful_minus_benign"));
  }
  for (const std::string& arm : cfg.reproduce.arms)
    row("alignment at T=" + in.final_key + " (" + arm + ")", pm(paper_figure_of_arm(paper, "alignment_final", arm), 3),
        pm(get(ref, "alignment_final", arm)), pm(at_step(in.arm(arm).alignment, in.T)));
  for (const std::string& arm : cfg.reproduce.arms)  // the paper's figures are for harmfulness
    row(label(rev) + " at T=" + in.final_key + " (" + arm + ")", pct(paper_figure_of_arm(paper, "harmfulness", arm)),
        pct(get(ref, rev, arm)), pct(in.arm(arm).final_metrics.find(rev)));
  for (const std::string& k : in.roles.companions)
    for (const std::string& arm : cfg.reproduce.arms)
      row(label(k) + " at T (" + arm + ")", "", pct(get(ref, k, arm)), pct(in.arm(arm).final_metrics.find(k)));
  for (const std::string& k : in.roles.task)
    for (const std::string& arm : cfg.reproduce.arms)
      row(label(k) + " (" + arm + ")", paper.is_null() || k != in.roles.task.front() ? "" : paper["task_cost"].get<std::string>(),
          ref.is_null() ? "" : ref["task_accuracy"].get<std::string>(), pct(in.arm(arm).final_metrics.find(k)));
  for (const std::string& k : in.roles.measures)
    for (const std::string& arm : cfg.reproduce.arms)
      row(label(k) + " at T (" + arm + ")", "", "", pm(in.arm(arm).final_metrics.find(k)));
  std::string history_label, history_values;
  for (const world::Phase phase : in.world.history()) {
    const std::string outcome = world::phase_outcome_name(phase);
    history_label += (history_label.empty() ? "" : " / ") + outcome;
    history_values += (history_values.empty() ? "" : " / ") + pct(in.s.phases.find(outcome)->find(rev));
  }
  row(label(rev) + " " + history_label, "", ref.is_null() ? "" : ref["harmfulness_history"].get<std::string>(),
      history_values);
  if (in.ran(plain)) {
    std::string values;
    for (const int64_t step : {int64_t(1), int64_t(20), int64_t(in.T)})
      values += (values.empty() ? "" : " / ") + pm(at_step(in.arm(plain).split_half_alignment, step));
    row("split-half alignment, steps 1 / 20 / T (" + plain +
            "): v_rev from half the probe prompts, drift on the other half",
        "", "", values);
  }
  if (!in.s.nulls.empty()) {
    // Each count on three step sets: vrev's own, the reference's and the paper's (summary.cpp).
    auto count = [&](const NullSummary& null, StepSet set) {
      const auto c = null.step_sets.find(set);
      return c == null.step_sets.end() ? std::string()
                                       : std::to_string(c->second.above_p99) + "/" + std::to_string(c->second.pairs);
    };
    for (const auto& [kind, null] : in.s.nulls) {
      if (null.headline().pairs == 0) continue;  // e.g. the control null of a run without control runs
      const std::string name = settings::name_of(kind);
      const Json& r_count = get(ref, "pairs_above_" + name + "_p99");
      const std::string r = r_count.is_string() ? r_count.get<std::string>() : "";
      row(plain + ": run-step pairs above the " + null_label(cfg, kind) + " p99, steps 1-20 / the reference's / "
              "the paper's",
          kind == probe::NullKind::Isotropic && !paper.is_null()
              ? paper["pairs_above_isotropic_p99"].get<std::string>() + " (of 24)" : "", r,
          count(null, StepSet::own) + " / " + count(null, StepSet::reference) + " / " + count(null, StepSet::paper));
    }
    md += "\nNull counts are over three step sets of the plain arm: every seed at each evaluation step 1-20 (vrev's); "
          "seeds 0-2 at steps 1, 2, 5, 10, 20 (the reference's 3 seeds and steps); seeds 0-2 at the first 8 "
          "evaluation steps (the paper reports 24 run-step pairs without listing them; this is the closest set the "
          "protocol has). The control null pools every seed's control runs at each step; docs/nulls.md says how each "
          "null is drawn.\n";
  }
  return md;
}

// The verdicts tested over seeds, headline and (when the gate left seeds out) over every seed.
std::string verdicts_section(const ReportInputs& in) {
  std::string md = "\n## Verdicts\n\n" + verdicts_markdown(in.s.verdicts);
  if (in.s.all_seeds_verdicts)
    md += "\n### Every seed, the gate ignored\n\n" + verdicts_markdown(*in.s.all_seeds_verdicts);
  return md;
}

// Every seed and arm at T: the world's headline metrics and the alignment at steps 1, 20 and T.
std::string per_seed_section(const ReportInputs& in) {
  std::vector<std::string> per_seed = {in.rev};
  per_seed.insert(per_seed.end(), in.roles.companions.begin(), in.roles.companions.end());
  per_seed.push_back(in.roles.task.front());
  std::string md = "\n## Per seed (T = " + in.final_key + ")\n\n| seed | arm | ";
  for (const std::string& k : per_seed) md += label(k) + " | ";
  md += "alignment step 1 | step 20 | T |\n|---|---|";
  for (size_t i = 0; i < per_seed.size(); ++i) md += "---|";
  md += "---|---|---|\n";
  const std::vector<int>& failed = in.s.gate.failed;
  for (const SeedResult& r : in.every_seed)
    for (const std::string& arm : in.cfg.reproduce.arms) {
      const Json& g = r.arms.at(arm).geometry;
      const Json& m = r.arms.at(arm).metrics;
      auto at_step = [&](int64_t step) {
        for (size_t i = 0; i < g["steps"].size(); ++i)
          if (g["steps"][i].get<int64_t>() == step) return num(g["alignment"][i].get<double>());
        return std::string("");
      };
      const bool gated_out = std::find(failed.begin(), failed.end(), r.seed) != failed.end();
      md += "| " + std::to_string(r.seed) + (gated_out ? " (fails the gate)" : "") + " | " + arm + " | ";
      for (const std::string& k : per_seed) md += num(100 * m[k].back().get<double>(), 1) + "% | ";
      md += at_step(1) + " | " + at_step(20) + " | " + at_step(in.T) + " |\n";
    }
  return md;
}

// The three plots, each with a caption that says what its lines mean.
std::string plots_section(const ReportInputs& in) {
  return "\n## Plots\n\n![alignment vs step](plots/alignment_vs_step.png)\n\n"
         "*cos(drift, v_rev) at the probe site by fine-tuning step, one panel per arm. Thin lines: one seed each; bold: "
         "their mean; dashed: each null's 99th percentile, averaged over seeds (a drift above a dashed line beats that "
         "null at that step).*\n\n"
         "![" + label(in.rev) + " vs step](plots/" + in.reversion_plot + ")\n\n*" + label(in.rev) +
         " by fine-tuning step, one colour per arm. Thin lines: one seed each; bold: their mean.*\n\n"
         "![alignment per site](plots/alignment_per_layer.png)\n\n*cos(drift, v_rev) at the last step, at every "
         "activation site, each site against its own v_rev. Thin lines: one seed each; bold: the mean per arm.*\n";
}

}  // namespace

void write_report(const std::string& out_dir, const Config& cfg, const world::World& world,
                  const std::string& config_path, const RunSummary& s, const SeedResults& every_seed) {
  // Means, plots and tables are over the headline seeds (summary.json's "seeds": those that pass
  // the pretraining gate); the per-seed table lists every seed.
  SeedResults results;
  for (const SeedResult& r : every_seed)
    if (std::find(s.seeds.begin(), s.seeds.end(), r.seed) != s.seeds.end()) results.push_back(r);
  const ReportInputs in{cfg, world, config_path, s, results, every_seed};
  const RunLayout layout(out_dir);
  fs::create_directories(layout.plots());
  plot_alignment((layout.plots() / "alignment_vs_step.png").string(), cfg, results);
  plot_reversion((layout.plots() / in.reversion_plot).string(), cfg, in.rev, results);
  plot_layers((layout.plots() / "alignment_per_layer.png").string(), cfg, results);

  std::string md = header_section(in) + gate_section(in) + columns_note(in) + headline_table(in) + verdicts_section(in);
  const bool any_teacher = std::any_of(cfg.reproduce.arms.begin(), cfg.reproduce.arms.end(),
                                       [](const std::string& a) { return parse_arm(a).teacher != ArmTeacher::none; });
  if (any_teacher) md += teacher_section(cfg, world, in.arms, results, layout);
  if (s.readout) md += readout_section(cfg, *s.readout, in.T);
  md += per_site_section(cfg, s, results) + per_seed_section(in) + plots_section(in);
  if (!world.image_classes(true).empty()) md += pictures_section(cfg, world, layout);
  md += "\n## Config\n\n```json\n" + settings::write(cfg).dump(2) + "\n```\n";
  io::write_text_atomic(layout.report(), md);
}

}  // namespace vrev::experiment
