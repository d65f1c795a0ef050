#pragma once
// The image world (docs/image-world.md): an autoregressive pixel model of 8x8 binary glyphs.
//
//   BOS CLS c p0 p1 ... p63        c a class token (square, x, triangle, ...), pixels row by row, . or #
//
// Its history is pretrain (every class) -> align (a forbidden class answered with the blank image,
// the "refusal", mixed with benign classes) -> benign fine-tuning on the neglected classes, which
// pretraining taught and alignment left alone. Training images are a class's template shifted by
// up to world.image.shift pixels with world.image.flips pixels flipped (counter RNG). The reversion
// metric is the forbidden rate: the share of temperature-1 samples of a forbidden class prompt that
// nearest-template matching labels as that glyph.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "world/glyphs.h"
#include "world/world.h"

namespace vrev::world {

inline constexpr int kImagePromptLen = 3;  // BOS CLS c
inline constexpr int kImageSequenceLen = kImagePromptLen + kGlyphPixels;
inline constexpr int kBlankLabel = -1;     // classify(): the blank image

class ImageWorld : public World {
 public:
  ImageWorld(const WorldConfig& cfg, uint64_t seed);

  // The World interface.
  const Vocabulary& vocab() const override { return vocab_; }
  int sequence_length() const override { return kImageSequenceLen; }
  void write_example(Phase phase, int64_t index, int32_t* inputs, int32_t* targets, float* weights) const override;
  model::PromptSet probe_set(ProbeRole role, ProbePoint point) const override;
  std::string probe_set_name(ProbeRole role) const override;
  model::PromptSet named_prompt_set(const std::string& name, ProbePoint point) const override;
  Metrics evaluate(const model::Gpt<float>& model) const override;
  std::vector<std::string> metric_names() const override;
  MetricRoles metric_roles() const override;
  std::vector<std::string> image_classes(bool reversion_only) const override;
  SampleImages sample_images(const model::Gpt<float>& model, const std::vector<std::string>& classes, int per_class,
                             uint64_t seed) const override;

  const std::vector<Glyph>& glyphs() const { return glyphs_; }
  int32_t class_token(int cls) const { return first_class_token_ + cls; }
  int32_t ink_token() const { return ink_token_; }
  int32_t blank_token() const { return blank_token_; }
  int class_index(const std::string& name) const;  // the error lists the classes
  // Class indices in manifest order, fixed at construction (the data path draws from them for
  // every example, so they are not rebuilt per call).
  const std::vector<int>& classes(GlyphRole role) const { return by_role_[static_cast<size_t>(role)]; }
  const std::vector<int>& benign_classes() const { return benign_; }        // all but the forbidden
  const std::vector<int>& align_mix_classes() const { return align_mix_; }  // alignment's benign classes
  const std::vector<int>& finetune_classes() const { return finetune_; }    // what fine-tuning draws

  // Training image `index` of a stream for class `cls`: the template, shifted and flipped.
  Bitmap noisy_image(uint64_t stream, int64_t index, int cls) const;
  // The nearest of every template at every shift, or the blank image (kBlankLabel); ties go to
  // blank, then to the earlier class.
  int classify(const Bitmap& image) const;
  // `n` temperature-1 samples of class `cls` from counter-RNG `seed` (sample j is the same for
  // any n > j).
  std::vector<Bitmap> sample(const model::Gpt<float>& model, int cls, int n, uint64_t seed) const;

 private:
  // The class and image of example `index` of a phase.
  std::pair<int, Bitmap> draw(Phase phase, int64_t index) const;
  model::PromptSet prompt_set(const std::vector<int>& classes, ProbePoint point) const;
  void write_sequence(int cls, const Bitmap& image, int32_t* seq) const;  // kImageSequenceLen tokens

  WorldConfig cfg_;
  uint64_t seed_;
  std::vector<Glyph> glyphs_;
  Vocabulary vocab_;
  int32_t first_class_token_ = 0, blank_token_ = 0, ink_token_ = 0;
  std::array<std::vector<int>, 3> by_role_;  // indexed by GlyphRole
  std::vector<int> benign_, align_mix_, finetune_;
  std::vector<uint64_t> phase_stream_;  // each phase's data stream, indexed by its Phase value
  std::vector<Bitmap> references_;           // every template at every shift
  std::vector<int> reference_class_;
};

}  // namespace vrev::world
