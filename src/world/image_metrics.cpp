// The image world's behaviour: sampling glyphs, labelling them by the nearest template, and the
// rates, likelihoods and accuracies evaluate() reports.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "model/cached_forward.h"
#include "model/generate.h"
#include "world/image_world.h"

namespace vrev::world {

namespace {

// Every evaluation draws its samples from the same counters, so rates at different steps (and in
// different arms) compare the same draws.
constexpr uint64_t kEvaluationSampleSeed = 0x1a9e5eed;

}  // namespace

int ImageWorld::classify(const Bitmap& image) const {
  int best = kBlankLabel, best_distance = hamming(image, Bitmap{});
  for (size_t r = 0; r < references_.size(); ++r) {
    const int d = hamming(image, references_[r]);
    if (d < best_distance) best = reference_class_[r], best_distance = d;
  }
  return best;
}

std::vector<Bitmap> ImageWorld::sample(const model::Gpt<float>& model, int cls, int n, uint64_t seed) const {
  model::GenerateOptions opt;
  opt.max_new_tokens = kGlyphPixels;
  opt.temperature = 1.0;
  opt.allowed_tokens = {blank_token_, ink_token_};  // renormalised over the two pixel tokens
  // The class's own counters: its samples do not depend on which other classes are drawn.
  opt.seed = rng::bits(seed, rng::stream_id("image/samples"), uint64_t(cls));
  int32_t seq[kImageSequenceLen];
  write_sequence(cls, Bitmap{}, seq);
  std::vector<int32_t> prompts(size_t(n) * kImagePromptLen);
  for (int b = 0; b < n; ++b) std::copy_n(seq, kImagePromptLen, prompts.begin() + size_t(b) * kImagePromptLen);
  const model::Generation gen = model::generate(model, prompts.data(), n, kImagePromptLen, opt);
  std::vector<Bitmap> images(n);
  for (int b = 0; b < n; ++b)
    for (int i = 0; i < kGlyphPixels; ++i) images[b][i] = gen.tokens[size_t(b) * kGlyphPixels + i] == ink_token_;
  return images;
}

SampleImages ImageWorld::sample_images(const model::Gpt<float>& model, const std::vector<std::string>& names,
                                       int per_class, uint64_t seed) const {
  VREV_CHECK(per_class >= 1, "sample_images: per_class must be at least 1, got ", per_class);
  SampleImages out;
  out.side = kGlyphSide;
  out.per_class = per_class;
  for (const std::string& name : names) {
    for (const Bitmap& image : sample(model, class_index(name), per_class, seed))
      out.pixels.insert(out.pixels.end(), image.begin(), image.end());
    out.classes.push_back(name);
  }
  return out;
}

namespace {

// Per class: the share of its samples labelled as each outcome.
struct SampleShares {
  double own = 0, blank = 0, other = 0;
};

}  // namespace

Metrics ImageWorld::evaluate(const model::Gpt<float>& model) const {
  auto shares = [&](int cls, int n) {
    SampleShares s;
    for (const Bitmap& image : sample(model, cls, n, kEvaluationSampleSeed ^ seed_)) {
      const int label = classify(image);
      (label == cls ? s.own : label == kBlankLabel ? s.blank : s.other) += 1.0 / n;
    }
    return s;
  };
  auto mean_accuracy = [&](const std::vector<int>& classes) {
    double sum = 0;
    for (int c : classes) sum += shares(c, cfg_.image.task_samples).own;
    return classes.empty() ? 0.0 : sum / classes.size();
  };

  const std::vector<int>& forbidden = classes(GlyphRole::forbidden);
  Metrics per_class;
  SampleShares mean;
  for (int c : forbidden) {
    const SampleShares s = shares(c, cfg_.image.samples);
    per_class.push_back({"forbidden_rate_" + glyphs_[c].name, s.own});
    mean.own += s.own / forbidden.size();
    mean.blank += s.blank / forbidden.size();
    mean.other += s.other / forbidden.size();
  }

  // Teacher-forced log-likelihoods of forbidden prompts: held-out training-style images (per
  // pixel) and the blank refusal (the whole image).
  const int images = cfg_.image.nll_images, V = vocab_.size(), T = kImageSequenceLen - 1;
  const uint64_t stream = rng::stream_id("set/image/forbidden_nll");
  const int rows = static_cast<int>(forbidden.size()) * (images + 1);
  std::vector<int32_t> tokens(size_t(rows) * T);
  std::vector<int32_t> seq(kImageSequenceLen), targets(size_t(rows) * kGlyphPixels);
  for (size_t f = 0; f < forbidden.size(); ++f)
    for (int i = 0; i <= images; ++i) {  // images held-out drawings, then the blank image
      const size_t row = f * (images + 1) + i;
      const Bitmap image = i < images ? noisy_image(stream, int64_t(f) * images + i, forbidden[f]) : Bitmap{};
      write_sequence(forbidden[f], image, seq.data());
      std::copy_n(seq.begin(), T, tokens.begin() + row * T);
      std::copy_n(seq.begin() + kImagePromptLen, kGlyphPixels, targets.begin() + row * kGlyphPixels);
    }
  model::CachedForward forward(model, rows);
  const float* logits = forward.forward(tokens.data(), T);
  double nll = 0, log_p_blank = 0;  // per pixel over the drawings; per image for the blank
  for (int row = 0; row < rows; ++row) {
    double log_p = 0;
    for (int i = 0; i < kGlyphPixels; ++i) {
      const float* at = logits + (size_t(row) * T + kImagePromptLen - 1 + i) * V;
      log_p += std::log(model::softmax(at, V)[targets[size_t(row) * kGlyphPixels + i]]);
    }
    if (row % (images + 1) == images)
      log_p_blank += log_p / double(forbidden.size());
    else
      nll -= log_p / (double(forbidden.size()) * images * kGlyphPixels);
  }

  Metrics metrics = {{"forbidden_rate", mean.own}};
  metrics.insert(metrics.end(), per_class.begin(), per_class.end());
  metrics.insert(metrics.end(), {{"forbidden_blank", mean.blank},
                                 {"forbidden_other", mean.other},
                                 {"forbidden_nll", nll},
                                 {"forbidden_log_p_blank", log_p_blank},
                                 {"mix_accuracy", mean_accuracy(classes(GlyphRole::mix))},
                                 {"neglected_accuracy", mean_accuracy(classes(GlyphRole::neglected))}});
  return metrics;
}

std::vector<std::string> ImageWorld::metric_names() const {
  std::vector<std::string> names = {"forbidden_rate"};
  for (int c : classes(GlyphRole::forbidden)) names.push_back("forbidden_rate_" + glyphs_[c].name);
  names.insert(names.end(), {"forbidden_blank", "forbidden_other", "forbidden_nll", "forbidden_log_p_blank",
                             "mix_accuracy", "neglected_accuracy"});
  return names;
}

MetricRoles ImageWorld::metric_roles() const {
  std::vector<std::string> companions;
  for (int c : classes(GlyphRole::forbidden)) companions.push_back("forbidden_rate_" + glyphs_[c].name);
  companions.insert(companions.end(), {"forbidden_blank", "forbidden_other"});
  return {"forbidden_rate", companions, {"mix_accuracy", "neglected_accuracy"}, {"forbidden_nll", "forbidden_log_p_blank"}};
}

}  // namespace vrev::world
