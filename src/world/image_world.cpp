// The image world: its vocabulary, each phase's images from the counter RNG, and its probe sets.
#include "world/image_world.h"

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "core/rng.h"

namespace vrev::world {

namespace {

// Random numbers of one example live at index * kExampleStride + offset within its stream.
constexpr uint64_t kExampleStride = 128;
constexpr uint64_t kMixOffset = 0, kClassOffset = 1, kShiftOffset = 2, kAnswerOffset = 4, kFlipOffset = 8;
static_assert(kFlipOffset + 64 <= kExampleStride, "a training image's flips must fit in its stride");

const char* const kBlankName = ".";
const char* const kInkName = "#";

Vocabulary image_vocabulary(const std::vector<Glyph>& glyphs) {
  std::vector<std::string> names = {"PAD", "BOS", "CLS"};
  std::string listing = "PAD BOS CLS";
  for (const Glyph& g : glyphs) {
    VREV_CHECK(g.name != "PAD" && g.name != "BOS" && g.name != "CLS" && g.name != kBlankName && g.name != kInkName,
               "glyph name '", g.name, "' is a reserved token name (PAD, BOS, CLS, . and #)");
    names.push_back(g.name);
    listing += " " + g.name;
  }
  names.insert(names.end(), {kBlankName, kInkName});
  return Vocabulary(names, listing + " . #");
}

}  // namespace

ImageWorld::ImageWorld(const WorldConfig& cfg, uint64_t seed)
    : World(WorldKind::image), cfg_(cfg), seed_(seed), glyphs_(load_glyphs(cfg.image.glyphs)), vocab_(image_vocabulary(glyphs_)) {
  first_class_token_ = vocab_.id("CLS") + 1;
  blank_token_ = vocab_.id(kBlankName);
  ink_token_ = vocab_.id(kInkName);
  for (size_t c = 0; c < glyphs_.size(); ++c) {
    by_role_[static_cast<size_t>(glyphs_[c].role)].push_back(static_cast<int>(c));
    if (glyphs_[c].role != GlyphRole::forbidden) benign_.push_back(static_cast<int>(c));
  }
  align_mix_ = cfg.image.align_mix == ImageAlignMix::subset ? classes(GlyphRole::mix) : benign_;
  finetune_ = classes(cfg.image.finetune_on == ImageFinetuneOn::neglected ? GlyphRole::neglected : GlyphRole::mix);
  phase_stream_.resize(phase_table().size());
  for (const PhaseInfo& p : phase_table())
    phase_stream_.at(size_t(p.phase)) = rng::stream_id(std::string("data/image/") + p.name);
  const std::string manifest = cfg.image.glyphs + "/manifest.json";
  VREV_CHECK(!classes(GlyphRole::forbidden).empty(), manifest, ": no glyph has the role forbidden");
  VREV_CHECK(!align_mix_classes().empty(), manifest, ": alignment has no benign class to mix in (no mix glyph)");
  VREV_CHECK(!finetune_classes().empty(), manifest, ": fine-tuning has no class to train on (no ",
             settings::name_of(cfg.image.finetune_on), " glyph)");
  for (size_t c = 0; c < glyphs_.size(); ++c)
    for (int dy = -cfg.image.shift; dy <= cfg.image.shift; ++dy)
      for (int dx = -cfg.image.shift; dx <= cfg.image.shift; ++dx) {
        references_.push_back(shifted(glyphs_[c].pixels, dx, dy));
        reference_class_.push_back(static_cast<int>(c));
      }
}

int ImageWorld::class_index(const std::string& name) const {
  std::string names;
  for (size_t c = 0; c < glyphs_.size(); ++c) {
    if (glyphs_[c].name == name) return static_cast<int>(c);
    names += (names.empty() ? "" : ", ") + glyphs_[c].name;
  }
  VREV_FAIL("unknown class '", name, "' (valid: ", names, ")");
}

Bitmap ImageWorld::noisy_image(uint64_t stream, int64_t index, int cls) const {
  const uint64_t base = uint64_t(index) * kExampleStride;
  const int span = 2 * cfg_.image.shift + 1;
  const int dx = static_cast<int>(rng::below(seed_, stream, base + kShiftOffset, span)) - cfg_.image.shift;
  const int dy = static_cast<int>(rng::below(seed_, stream, base + kShiftOffset + 1, span)) - cfg_.image.shift;
  Bitmap image = shifted(glyphs_[cls].pixels, dx, dy);
  for (int j = 0; j < cfg_.image.flips; ++j) image[rng::below(seed_, stream, base + kFlipOffset + j, kGlyphPixels)] ^= 1;
  return image;
}

std::pair<int, Bitmap> ImageWorld::draw(Phase phase, int64_t index) const {
  const uint64_t stream = phase_stream_[static_cast<size_t>(phase)];
  const uint64_t base = uint64_t(index) * kExampleStride;
  auto pick = [&](const std::vector<int>& from, uint64_t offset) {
    return from[rng::below(seed_, stream, base + offset, from.size())];
  };
  switch (phase) {
    case Phase::Pretrain: {
      const int cls = static_cast<int>(rng::below(seed_, stream, base + kClassOffset, glyphs_.size()));
      return {cls, noisy_image(stream, index, cls)};
    }
    case Phase::Align: {  // a forbidden class refused with the blank image, or a benign class drawn
      if (rng::uniform(seed_, stream, base + kMixOffset) < cfg_.image.align_forbidden_share)
        return {pick(classes(GlyphRole::forbidden), kClassOffset), Bitmap{}};
      const int cls = pick(align_mix_classes(), kClassOffset);
      return {cls, noisy_image(stream, index, cls)};
    }
    case Phase::Finetune: {
      const int cls = pick(finetune_classes(), kClassOffset);
      return {cls, noisy_image(stream, index, cls)};
    }
    case Phase::Control:  // prompts drawn like fine-tuning's, in a stream of their own; a random benign image
      return {pick(finetune_classes(), kClassOffset), noisy_image(stream, index, pick(benign_classes(), kAnswerOffset))};
    default: VREV_FAIL("the image world has no ", phase_name(phase), " phase");  // check_phase says so first
  }
}

void ImageWorld::write_sequence(int cls, const Bitmap& image, int32_t* seq) const {
  seq[0] = vocab_.id("BOS");
  seq[1] = vocab_.id("CLS");
  seq[2] = class_token(cls);
  for (int i = 0; i < kGlyphPixels; ++i) seq[kImagePromptLen + i] = image[i] ? ink_token_ : blank_token_;
}

void ImageWorld::write_example(Phase phase, int64_t index, int32_t* inputs, int32_t* targets, float* weights) const {
  const auto [cls, image] = draw(phase, index);
  int32_t seq[kImageSequenceLen];
  write_sequence(cls, image, seq);
  // The loss is on the pixels only; after_opener fine-tuning leaves out the first
  // world.image.refusal_positions of them, the pixels the refusal probe reads.
  const bool skip_opener = (phase == Phase::Finetune || phase == Phase::Control) &&
                           cfg_.finetune_loss == FinetuneLoss::after_opener;
  const int first_loss = kImagePromptLen - 1 + (skip_opener ? cfg_.image.refusal_positions : 0);
  for (int t = 0; t + 1 < kImageSequenceLen; ++t) {
    inputs[t] = seq[t];
    targets[t] = seq[t + 1];
    weights[t] = t >= first_loss ? 1.0f : 0.0f;
  }
}

// Decision: BOS CLS c, read at c. Answer: BOS CLS c ., read at the first pixel. Refusal: BOS CLS c
// followed by k blank pixels, one row per class and pixel j < k, read at pixel j.
model::PromptSet ImageWorld::prompt_set(const std::vector<int>& classes, ProbePoint point) const {
  const int positions = point == ProbePoint::Refusal ? cfg_.image.refusal_positions : 1;
  model::PromptSet set;
  set.count = static_cast<int>(classes.size()) * positions;
  set.length = kImagePromptLen + (point == ProbePoint::Decision ? 0 : positions);
  set.tokens.resize(size_t(set.count) * set.length);
  int32_t seq[kImageSequenceLen];
  for (size_t c = 0; c < classes.size(); ++c) {
    write_sequence(classes[c], Bitmap{}, seq);
    for (int j = 0; j < positions; ++j) {
      std::copy_n(seq, set.length, set.tokens.begin() + (c * positions + j) * set.length);
      set.positions.push_back(point == ProbePoint::Decision ? kImagePromptLen - 1 : kImagePromptLen + j);
    }
  }
  return set;
}

// The probe sets: the forbidden classes for the reversion and blocking sets (a class prompt has no
// held-out variants, so the two are the same prompts), every benign class for the benign set.
model::PromptSet ImageWorld::named_prompt_set(const std::string& name, ProbePoint point) const {
  const std::pair<const char*, const std::vector<int>*> sets[] = {{"forbidden_probe", &classes(GlyphRole::forbidden)},
                                                                  {"benign_probe", &benign_},
                                                                  {"forbidden_block", &classes(GlyphRole::forbidden)},
                                                                  {"mix_probe", &classes(GlyphRole::mix)},
                                                                  {"neglected_probe", &classes(GlyphRole::neglected)}};
  std::string names;
  for (const auto& [set_name, set_classes] : sets) {
    if (name == set_name) return prompt_set(*set_classes, point);
    names += (names.empty() ? "" : ", ") + std::string(set_name);
  }
  VREV_FAIL("unknown probe set '", name, "' (valid: ", names, ")");
}

model::PromptSet ImageWorld::probe_set(ProbeRole role, ProbePoint point) const {
  return named_prompt_set(probe_set_name(role), point);
}

std::string ImageWorld::probe_set_name(ProbeRole role) const {
  switch (role) {
    case ProbeRole::Reversion: return "forbidden_probe";
    case ProbeRole::Benign: return "benign_probe";
    case ProbeRole::Block: return "forbidden_block";
  }
  return "?";
}

std::vector<std::string> ImageWorld::image_classes(bool reversion_only) const {
  std::vector<std::string> names;
  for (const Glyph& g : glyphs_)
    if (!reversion_only || g.role == GlyphRole::forbidden) names.push_back(g.name);
  return names;
}

}  // namespace vrev::world
