// Drift metrics and nulls of a run, from its captures.
#include "probe/run_geometry.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/io.h"
#include "core/rng.h"
#include "probe/drift.h"
#include "probe/files.h"
#include "probe/geometry.h"
#include "probe/nulls.h"
#include "probe/readout.h"

namespace vrev::probe {

namespace {

settings::Json null_json(const std::vector<NullSummary>& per_step) {
  settings::Json p99 = settings::Json::array(), quantiles = settings::Json::array();
  for (const NullSummary& n : per_step) {
    p99.push_back(n.p99);
    quantiles.push_back(n.quantiles);
  }
  return {{"p99", p99}, {"quantile_levels", kQuantileLevels}, {"quantiles", quantiles}};
}

// captures.json, every key checked; each error names the file.
struct Manifest {
  int64_t site_index = 0;
  std::string position;
  std::vector<std::string> sites;
  std::vector<int64_t> steps;
};

Manifest read_manifest(const std::string& path) {
  using settings::Json;
  Json json;
  try {
    json = Json::parse(io::read_text(path));
  } catch (const nlohmann::json::parse_error& e) {
    VREV_FAIL(path, ": invalid JSON (", e.what(), ")");
  }
  VREV_CHECK(json.is_object(), path, ": a captures manifest must be a JSON object");
  auto field = [&](const char* key, const char* what, auto is) -> const Json& {
    VREV_CHECK(json.contains(key), path, ": missing key '", key, "'");
    VREV_CHECK(is(json[key]), path, ": '", key, "' must be ", what, ", got ", json[key].dump());
    return json[key];
  };
  auto is_integer = [](const Json& j) { return j.is_number_integer(); };
  auto is_string = [](const Json& j) { return j.is_string(); };
  auto is_step = [](const Json& j) { return j.is_number_unsigned(); };
  auto array_of = [](auto is_item) {
    return [is_item](const Json& j) { return j.is_array() && std::all_of(j.begin(), j.end(), is_item); };
  };
  Manifest m;
  m.site_index = field("site_index", "an integer", is_integer).get<int64_t>();
  m.position = field("position", "a string", is_string).get<std::string>();
  m.sites = field("sites", "an array of site names", array_of(is_string)).get<std::vector<std::string>>();
  m.steps = field("steps", "an array of non-negative integers", array_of(is_step)).get<std::vector<int64_t>>();
  return m;
}

// Rows of X (N, C) with index % 2 == parity: one half of a probe set whose prompts come topic by
// topic, so each half holds every topic. (Where one prompt gives several rows, as along the image
// world's refusal, the halves split its positions, not its prompts: a weaker check.)
std::vector<float> half_rows(const float* X, int N, int C, int parity) {
  std::vector<float> out;
  for (int i = parity; i < N; i += 2) out.insert(out.end(), X + size_t(i) * C, X + size_t(i + 1) * C);
  return out;
}

// Split-half alignment: v estimated on one half of the probe prompts, the drift measured on the
// other, averaged over the two ways round. Free of the O(1/N) bias of measuring both on the same
// prompts.
double split_half_alignment(Estimator est, const float* pre, const float* al, const float* h, int N, int C) {
  double sum = 0;
  for (int parity = 0; parity < 2; ++parity) {
    const int n = (N - parity + 1) / 2, m = N - n;  // rows in this half and in the other
    const std::vector<float> p = half_rows(pre, N, C, parity), a = half_rows(al, N, C, parity);
    const std::vector<float> a_other = half_rows(al, N, C, 1 - parity), h_other = half_rows(h, N, C, 1 - parity);
    sum += cosine(mean_drift(a_other.data(), h_other.data(), m, C), estimate_direction(est, p.data(), a.data(), n, C));
  }
  return sum / 2;
}

}  // namespace

uint64_t null_draw_seed(uint64_t null_seed, uint64_t run_seed, int64_t step) {
  return rng::bits(null_seed, rng::stream_id("probe/null/draw seed"), (run_seed << 32) + uint64_t(step));
}

settings::Json run_geometry(const std::string& run_dir, const std::string& probe_dir,
                            const std::vector<std::string>& control_dirs, uint64_t run_seed, const ProbeConfig& cfg,
                            const ProbeNames& names) {
  const std::string manifest_path = captures_manifest_path(run_dir);
  const Manifest manifest = read_manifest(manifest_path);
  const std::vector<int64_t>& steps = manifest.steps;
  const std::vector<std::string>& sites = manifest.sites;

  const Capture pre = load_capture(reference_capture_path(probe_dir, names.reference_phase, names.reversion_set));
  const Capture al = load_capture(reference_capture_path(probe_dir, names.last_phase, names.reversion_set));
  const Capture al_benign = load_capture(reference_capture_path(probe_dir, names.last_phase, names.benign_set));
  const int C = al.C, S = al.sites;
  VREV_CHECK(pre.C == C && al_benign.C == C && pre.N == al.N && pre.sites == S && al_benign.sites == S, probe_dir,
             ": the reference captures disagree in width, sites or probe-set size");
  VREV_CHECK(static_cast<int>(sites.size()) == S, manifest_path, ": 'sites' names ", sites.size(),
             " sites but the captures have ", S);
  VREV_CHECK(manifest.site_index >= 0 && manifest.site_index < S, manifest_path, ": site ", manifest.site_index,
             " does not exist in captures of ", S, " sites");
  VREV_CHECK(al.N >= 2, probe_dir, ": the reversion probe set has ", al.N,
             " row; the split-half check needs at least 2 (more prompts per topic)");
  const int site = static_cast<int>(manifest.site_index);
  int v_rows = 0, v_c = C;
  const std::vector<float> v_all = load_matrix(v_rev_path(probe_dir), v_rows, v_c);
  VREV_CHECK(v_rows == S, v_rev_path(probe_dir), ": ", v_rows, " directions for ", S, " sites");
  auto v_of = [&](int s) { return std::vector<double>(v_all.begin() + size_t(s) * C, v_all.begin() + size_t(s + 1) * C); };
  const std::vector<double> v = v_of(site);
  const Estimator estimator = cfg.estimator;

  settings::Json g;
  g["width"] = C;
  g["site"] = sites[site];
  g["position"] = manifest.position;
  g["estimator"] = settings::name_of(cfg.estimator);
  g["steps"] = steps;
  g["v_rev_norm"] = norm(v);
  std::vector<double> alignment, split_half, prompt_cos, benign, minus_benign, fraction, rel_norm, orthogonal;
  std::vector<std::vector<double>> per_site(S);
  std::vector<NullSummary> iso, aniso, shuffle, control;
  std::vector<std::vector<double>> control_values;  // per step, one alignment per control run
  // The readout direction, where the world has one (probe/readout.h).
  const bool has_readout = std::filesystem::exists(readout_path(probe_dir));
  std::vector<float> r_all;
  if (has_readout) {
    int r_rows = 0, r_c = C;
    r_all = load_matrix(readout_path(probe_dir), r_rows, r_c);
    VREV_CHECK(r_rows == S, readout_path(probe_dir), ": ", r_rows, " directions for ", S, " sites");
  }
  auto r_of = [&](int s) { return std::vector<double>(r_all.begin() + size_t(s) * C, r_all.begin() + size_t(s + 1) * C); };
  std::vector<double> readout_alignment, v_rev_without_readout;
  const NullSummary iso_summary = isotropic_null(C);
  const std::vector<float> al_means = al.means();
  // A run's mean drift from the aligned model at site s, from its per-site means (sites x C).
  auto drift_at = [&](const std::vector<float>& means, int s) {
    std::vector<double> d(C);
    for (int k = 0; k < C; ++k) d[k] = double(means[size_t(s) * C + k]) - al_means[size_t(s) * C + k];
    return d;
  };
  for (int64_t step : steps) {
    int nh = 0, nb = 0, c = C, sc = C;
    const std::vector<float> h = load_matrix(step_capture_path(run_dir, names.reversion_set, step), nh, c);
    const std::vector<float> b = load_matrix(step_capture_path(run_dir, names.benign_set, step), nb, c);
    VREV_CHECK(nh == al.N && nb == al_benign.N, run_dir, ": step ", step, " captures have other probe-set sizes");
    const DriftMetrics m = drift_metrics(v, al.site(site), h.data(), nh, al_benign.site(site), b.data(), nb, C);
    alignment.push_back(m.alignment);
    split_half.push_back(split_half_alignment(estimator, pre.site(site), al.site(site), h.data(), nh, C));
    prompt_cos.push_back(m.mean_prompt_cosine);
    benign.push_back(m.benign_alignment);
    minus_benign.push_back(m.harmful_minus_benign);
    fraction.push_back(m.reversion_fraction);
    rel_norm.push_back(m.relative_norm);
    orthogonal.push_back(m.orthogonal_fraction);
    int ms = 0;
    const std::vector<float> means = load_matrix(step_means_path(run_dir, names.reversion_set, step), ms, sc);
    VREV_CHECK(ms == S, step_means_path(run_dir, names.reversion_set, step), ": ", ms, " sites, expected ", S);
    for (int s = 0; s < S; ++s) per_site[s].push_back(cosine(drift_at(means, s), v_of(s)));
    const std::vector<double> drift = mean_drift(al.site(site), h.data(), nh, C);
    if (has_readout) {
      readout_alignment.push_back(cosine(drift, r_of(site)));
      v_rev_without_readout.push_back(cosine_without(drift, v, r_of(site)));
    }
    const uint64_t seed = null_draw_seed(cfg.null_seed, run_seed, step);
    iso.push_back(iso_summary);
    aniso.push_back(anisotropic_null(drift.data(), al_benign.site(site), al_benign.N, C, cfg.anisotropic_draws, seed));
    shuffle.push_back(label_shuffle_null(cfg.shuffle, drift.data(), pre.site(site), al.site(site), al.N, C,
                                         cfg.shuffle_draws, seed, estimator));
    if (!control_dirs.empty()) {  // each control run's alignment at this step: one draw of the null
      std::vector<double> cosines;
      for (const std::string& dir : control_dirs) {
        int nc = 0;
        const std::vector<float> ctrl = load_matrix(step_capture_path(dir, names.reversion_set, step), nc, c);
        VREV_CHECK(nc == al.N, dir, ": step ", step, " capture has another probe-set size");
        cosines.push_back(cosine(mean_drift(al.site(site), ctrl.data(), nc, C), v));
      }
      control_values.push_back(cosines);
      control.push_back(empirical_null(cosines));
    }
  }
  g["alignment"] = alignment;
  g["split_half_alignment"] = split_half;
  g["mean_prompt_cosine"] = prompt_cos;
  g["benign_alignment"] = benign;
  g["harmful_minus_benign"] = minus_benign;
  g["reversion_fraction"] = fraction;
  g["relative_norm"] = rel_norm;
  g["orthogonal_fraction"] = orthogonal;
  settings::Json ps = settings::Json::object();
  for (int s = 0; s < S; ++s) ps[sites[s]] = per_site[s];
  g["per_site_alignment"] = ps;
  if (has_readout) {
    std::vector<double> cos_v_rev;
    for (int s = 0; s < S; ++s) cos_v_rev.push_back(cosine(v_of(s), r_of(s)));
    g["readout"] = {{"cos_v_rev_per_site", cos_v_rev},
                    {"alignment", readout_alignment},
                    {"v_rev_alignment_without_readout", v_rev_without_readout}};
  }
  using settings::name_of;
  settings::Json& nulls = g["nulls"];
  nulls[name_of(NullKind::Isotropic)] = null_json(iso);
  nulls[name_of(NullKind::Anisotropic)] = null_json(aniso);
  nulls[name_of(NullKind::LabelShuffle)] = null_json(shuffle);
  nulls[name_of(NullKind::LabelShuffle)]["kind"] = name_of(cfg.shuffle);
  settings::Json& control_null = nulls[name_of(NullKind::ControlFinetune)];
  if (control.empty()) {
    control_null = {{"p99", nullptr}, {"note", "no control fine-tuning run"}};
  } else {
    control_null = null_json(control);
    control_null["runs"] = control_dirs.size();
    control_null["values"] = control_values;
  }
  // Every site at the last step: the drift at that site against that site's v_rev and each null
  // drawn there (each site its own draws), and each control run's alignment there. The per-site
  // table reads these to say where the history's direction beats its nulls.
  const int64_t last = steps.back();
  int ms = 0, sc = C;
  const std::vector<float> last_means = load_matrix(step_means_path(run_dir, names.reversion_set, last), ms, sc);
  std::vector<std::vector<float>> control_means;
  for (const std::string& dir : control_dirs) {
    int mc = 0, cc = C;
    control_means.push_back(load_matrix(step_means_path(dir, names.reversion_set, last), mc, cc));
    VREV_CHECK(mc == S, step_means_path(dir, names.reversion_set, last), ": ", mc, " sites, expected ", S);
  }
  settings::Json site_nulls = settings::Json::object();
  for (int s = 0; s < S; ++s) {
    const std::vector<double> d = drift_at(last_means, s);
    const uint64_t seed = null_draw_seed(cfg.null_seed, run_seed, last) + uint64_t(s) + 1;
    std::vector<double> controls;
    for (const std::vector<float>& m : control_means) controls.push_back(cosine(drift_at(m, s), v_of(s)));
    settings::Json& site = site_nulls[sites[s]];
    site["alignment"] = cosine(d, v_of(s));
    site[p99_key(NullKind::Isotropic)] = iso_summary.p99;
    site[p99_key(NullKind::Anisotropic)] =
        anisotropic_null(d.data(), al_benign.site(s), al_benign.N, C, cfg.anisotropic_draws, seed).p99;
    site[p99_key(NullKind::LabelShuffle)] =
        label_shuffle_null(cfg.shuffle, d.data(), pre.site(s), al.site(s), al.N, C, cfg.shuffle_draws, seed, estimator).p99;
    site["control_values"] = controls;
  }
  g["per_site_nulls"] = {{"step", last}, {"sites", site_nulls}};
  return g;
}

DriftSplit drift_split(const std::string& run_dir, const std::string& probe_dir, const ProbeNames& names) {
  const Manifest manifest = read_manifest(captures_manifest_path(run_dir));
  const Capture al = load_capture(reference_capture_path(probe_dir, names.last_phase, names.reversion_set));
  const int C = al.C, site = static_cast<int>(manifest.site_index);
  VREV_CHECK(site >= 0 && site < al.sites, run_dir, ": site ", site, " does not exist in ", probe_dir);
  int v_rows = 0, v_c = C;
  const std::vector<float> v_all = load_matrix(v_rev_path(probe_dir), v_rows, v_c);
  VREV_CHECK(v_rows == al.sites, v_rev_path(probe_dir), ": ", v_rows, " directions for ", al.sites, " sites");
  const std::vector<double> v(v_all.begin() + size_t(site) * C, v_all.begin() + size_t(site + 1) * C);
  VREV_CHECK(norm(v) > 0, v_rev_path(probe_dir), ": v_rev is zero at the probe site");
  DriftSplit split;
  split.steps = manifest.steps;
  for (int64_t step : manifest.steps) {
    int n = 0, c = C;
    const std::vector<float> h = load_matrix(step_capture_path(run_dir, names.reversion_set, step), n, c);
    VREV_CHECK(n == al.N, run_dir, ": step ", step, " capture has another probe-set size");
    const std::vector<double> drift = mean_drift(al.site(site), h.data(), n, C);
    const AlongOff parts = split_along(drift, v);
    split.alignment.push_back(cosine(drift, v));
    split.along.push_back(parts.along);
    split.off.push_back(parts.off);
  }
  return split;
}

settings::Json read_geometry(const std::string& run_dir) {
  return settings::parse_file((std::filesystem::path(run_dir) / "geometry.json").string());
}

void write_geometry(const std::string& run_dir, const settings::Json& g) {
  namespace fs = std::filesystem;
  io::write_text_atomic((fs::path(run_dir) / "geometry.json").string(), g.dump(1) + "\n");
  std::string csv =
      "step,alignment,split_half_alignment,mean_prompt_cosine,benign_alignment,harmful_minus_benign,reversion_fraction,relative_norm,"
      "orthogonal_fraction";
  for (const auto& [kind, name] : enum_names(NullKind{})) csv += "," + p99_key(kind);
  csv += "\n";
  const auto& steps = g["steps"];
  for (size_t i = 0; i < steps.size(); ++i) {
    csv += std::to_string(steps[i].get<int64_t>());
    for (const char* k : {"alignment", "split_half_alignment", "mean_prompt_cosine", "benign_alignment", "harmful_minus_benign",
                          "reversion_fraction", "relative_norm", "orthogonal_fraction"})
      csv += "," + g[k][i].dump();
    for (const auto& [kind, name] : enum_names(NullKind{})) {
      const auto& p99 = g["nulls"][name]["p99"];
      csv += "," + (p99.is_array() ? p99[i].dump() : std::string());
    }
    csv += "\n";
  }
  io::write_text_atomic((fs::path(run_dir) / "geometry.csv").string(), csv);
}

}  // namespace vrev::probe
