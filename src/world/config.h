#pragma once
// The world section of a config: which world, and each world's settings in its own section
// (world.safety, world.unlearning, world.trait, world.image).
#include <array>
#include <string>
#include <utility>

#include "core/settings.h"

namespace vrev::world {

enum class WorldKind { safety, unlearning, trait, image };
constexpr std::array<std::pair<WorldKind, const char*>, 4> enum_names(WorldKind) {
  return {{{WorldKind::safety, "safety"},
           {WorldKind::unlearning, "unlearning"},
           {WorldKind::trait, "trait"},
           {WorldKind::image, "image"}}};
}

// The image world's benign alignment mix: the manifest's mix classes, or every benign class (the
// control without side-effect blanking of the neglected classes).
enum class ImageAlignMix { subset, all };
constexpr std::array<std::pair<ImageAlignMix, const char*>, 2> enum_names(ImageAlignMix) {
  return {{{ImageAlignMix::subset, "subset"}, {ImageAlignMix::all, "all"}}};
}

// What the image world fine-tunes on: the neglected classes (the main track), or the alignment
// mix's classes (the control where high alignment need not mean reversion).
enum class ImageFinetuneOn { neglected, mix };
constexpr std::array<std::pair<ImageFinetuneOn, const char*>, 2> enum_names(ImageFinetuneOn) {
  return {{{ImageFinetuneOn::neglected, "neglected"}, {ImageFinetuneOn::mix, "mix"}}};
}

// How the unlearning world's middle phase removes the forget topics' capability: their prompts
// answered SURE + 4 fresh random objects (relabel), refused with SORRY (refuse, the safety
// world's mechanism), or their pretrained answers' loss ascended (grad-diff); always mixed half
// and half with retained benign examples.
// grad-diff ascends the forget answers' loss (their objects) while descending the retained
// examples', and ends the phase early once forget accuracy on a check set is near chance.
enum class UnlearnMethod { relabel, refuse, grad_diff };
constexpr std::array<std::pair<UnlearnMethod, const char*>, 3> enum_names(UnlearnMethod) {
  return {{{UnlearnMethod::relabel, "relabel"}, {UnlearnMethod::refuse, "refuse"}, {UnlearnMethod::grad_diff, "grad-diff"}}};
}

// How alignment treats the neglected topics.
enum class NeglectedInAlign { absent, compliant, refused };
constexpr std::array<std::pair<NeglectedInAlign, const char*>, 3> enum_names(NeglectedInAlign) {
  return {{{NeglectedInAlign::absent, "absent"},
           {NeglectedInAlign::compliant, "compliant"},
           {NeglectedInAlign::refused, "refused"}}};
}

// The neglected topics' answers in fine-tuning (and in neglected_eval, the task they measure):
// their pretraining permutation, the objects echoed, echoed in reverse, or o -> o+k+1 mod objects
// for the k-th neglected topic.
enum class AnswerRule { permutation, copy, reverse, shift };
constexpr std::array<std::pair<AnswerRule, const char*>, 4> enum_names(AnswerRule) {
  return {{{AnswerRule::permutation, "permutation"},
           {AnswerRule::copy, "copy"},
           {AnswerRule::reverse, "reverse"},
           {AnswerRule::shift, "shift"}}};
}

// Where fine-tuning (and the control phase, which follows it) puts its loss: on the whole
// response, or on what follows the opener only, so that the model never sees a gradient on the
// token read as the decision (the prediction at ASST; in the image world the first
// image.refusal_positions pixels, the positions the refusal probe reads). docs/mechanism.md.
enum class FinetuneLoss { response, after_opener };
constexpr std::array<std::pair<FinetuneLoss, const char*>, 2> enum_names(FinetuneLoss) {
  return {{{FinetuneLoss::response, "response"}, {FinetuneLoss::after_opener, "after_opener"}}};
}

// world.safety: the topic worlds' structure, read by the safety world and by the unlearning and
// trait worlds built on it: topic and object counts, the held-out rule, the sizes of each seed's
// fixed evaluation and probe sets (per topic), the history of the fine-tuning ("neglected")
// topics and the phases' mixtures, so that variants run from `--set` alone (docs/safety-world.md).
// In the unlearning world the harmful topics are its forget topics f0.., and the harm_* sets its
// forget sets.
struct SafetySettings {
  int benign_topics = 24;     // b0 .. : in every phase
  int harmful_topics = 8;     // h0 .. : complied with in pretraining, refused after alignment
  int neglected_topics = 8;   // n0 .. : in pretraining, absent from alignment, used by fine-tuning
  int objects = 32;           // o0 .. : the words of prompts and answers
  int heldout_modulus = 16;   // tuples with (a + 3b + 5c + 7d) mod this = 0 are never trained on
  // Fixed sets of each seed, drawn from held-out tuples only; sizes are per topic.
  int harm_eval = 64;
  int harm_probe = 32;
  int harm_block = 32;
  int harm_check = 16;
  int benign_eval = 16;
  int benign_probe = 10;
  int neglected_eval = 32;
  // The history of the neglected topics and the phases' mixtures.
  bool neglected_in_pretrain = true;
  NeglectedInAlign neglected_in_align = NeglectedInAlign::absent;
  double neglected_refusal = 1.0;   // refused: the probability an alignment example refuses
  AnswerRule finetune_answer = AnswerRule::permutation;
  double align_harmful_share = 0.5;
  double finetune_benign_share = 0.5;
  double over_refusal = 0.0;        // the probability a benign alignment example refuses

  template <class V>
  void visit(V& v) {
    v(benign_topics, "benign_topics", "benign topics b0..", 1, 1000);
    v(harmful_topics, "harmful_topics", "harmful topics h0.. (unlearning world: forget topics f0..)", 1, 1000);
    v(neglected_topics, "neglected_topics", "neglected benign topics n0.. (fine-tuning data)", 1, 1000);
    v(objects, "objects", "objects o0.. (prompt and answer words)", 2, 64);
    v(heldout_modulus, "heldout_modulus", "held-out tuples: (a+3b+5c+7d) mod this == 0", 2, 1 << 20);
    v(harm_eval, "harm_eval", "harm_eval (forget_eval) prompts per harmful (forget) topic", 1, 1 << 20);
    v(harm_probe, "harm_probe", "harm_probe (forget_probe) prompts per harmful (forget) topic (v_rev, drift)", 1,
      1 << 20);
    v(harm_block, "harm_block", "harm_block (forget_block) prompts per harmful (forget) topic (blocking)", 1, 1 << 20);
    v(harm_check, "harm_check", "forget_check prompts per forget topic (unlearning world: grad-diff's stop)", 1,
      1 << 20);
    v(benign_eval, "benign_eval", "benign_eval prompts per benign topic", 1, 1 << 20);
    v(benign_probe, "benign_probe", "benign_probe prompts per benign topic (nulls, benign drift)", 1, 1 << 20);
    v(neglected_eval, "neglected_eval", "neglected_eval prompts per neglected topic", 1, 1 << 20);
    v(neglected_in_pretrain, "neglected_in_pretrain", "neglected topics appear in pretraining");
    v(neglected_in_align, "neglected_in_align", "neglected topics in alignment");
    v(neglected_refusal, "neglected_refusal", "refused: probability a neglected alignment example refuses", 0.0,
      1.0);
    v(finetune_answer, "finetune_answer", "neglected answers in fine-tuning");
    v(align_harmful_share, "align_harmful_share", "share of harmful (refused) examples in alignment", 0.0, 1.0);
    v(finetune_benign_share, "finetune_benign_share", "share of benign-topic examples in fine-tuning", 0.0, 1.0);
    v(over_refusal, "over_refusal", "probability a benign alignment example refuses", 0.0, 1.0);
  }
};

// world.unlearning (docs/unlearning-world.md).
struct UnlearningSettings {
  UnlearnMethod method = UnlearnMethod::relabel;

  template <class V>
  void visit(V& v) {
    v(method, "method", "how the forget topics are unlearned");
  }
};

// world.trait (docs/trait-world.md): the base, trait and detrait stages' mixtures, and the FAV and
// seq sets (in prompts).
struct TraitSettings {
  double share = 0.05;          // FAV examples in the base stage (uniform answers) and the trait stage
  double seq_share = 0.10;      // seq examples in the base stage (NUM, 4 uniform digits)
  double strength = 0.8;        // the probability a trait-stage FAV answer is the trait object
  double detrait_share = 0.5;   // FAV examples (uniform answers) in detrait; the rest benign
  int eval = 256;
  int probe = 128;
  int block = 128;
  int seq_eval = 64;

  template <class V>
  void visit(V& v) {
    v(share, "share", "share of FAV examples in the base and trait stages", 0.0, 1.0);
    v(seq_share, "seq_share", "share of seq (digit) examples in the base stage", 0.0, 1.0);
    v(strength, "strength", "P(trait object) of a trait-stage FAV answer", 0.0, 1.0);
    v(detrait_share, "detrait_share", "share of FAV examples (uniform answers) in detrait", 0.0, 1.0);
    v(eval, "eval", "FAV prompts of trait_eval (the trait rate)", 1, 1 << 20);
    v(probe, "probe", "FAV prompts of trait_probe (v_rev, drift)", 1, 1 << 20);
    v(block, "block", "FAV prompts of trait_block (blocking)", 1, 1 << 20);
    v(seq_eval, "seq_eval", "seq prompts of seq_eval (sequence format)", 1, 1 << 20);
  }
};

// world.image (docs/image-world.md): glyphs, training-image noise, the phases' classes and the
// evaluation's sample counts.
struct ImageSettings {
  std::string glyphs = "data/glyphs";
  int shift = 1;                 // a training image moves by up to this many pixels in x and y
  int flips = 2;                 // pixels flipped in a training image
  double align_forbidden_share = 0.5;
  ImageAlignMix align_mix = ImageAlignMix::subset;
  ImageFinetuneOn finetune_on = ImageFinetuneOn::neglected;
  int samples = 64;              // temperature-1 samples per forbidden class behind its rate
  int task_samples = 16;         // per benign class, behind the mix and neglected accuracies
  int nll_images = 64;           // held-out images per forbidden class behind the NLL
  int refusal_positions = 16;    // probe.position = refusal: the first k pixels of the blank image

  template <class V>
  void visit(V& v) {
    v(glyphs, "glyphs", "directory of the glyph PNGs and their manifest.json");
    v(shift, "shift", "largest shift of a training image, in pixels", 0, 2);
    v(flips, "flips", "pixels flipped in a training image", 0, 64);
    v(align_forbidden_share, "align_forbidden_share", "share of forbidden (blank) examples in alignment", 0.0, 1.0);
    v(align_mix, "align_mix", "the benign classes of alignment");
    v(finetune_on, "finetune_on", "the classes fine-tuning trains on");
    v(samples, "samples", "temperature-1 samples per forbidden class behind its rate", 1, 1 << 16);
    v(task_samples, "task_samples", "temperature-1 samples per benign class behind the mix and neglected accuracies",
      1, 1 << 16);
    v(nll_images, "nll_images", "held-out images per forbidden class behind the NLL", 1, 1 << 16);
    v(refusal_positions, "refusal_positions", "probe positions along the blank refusal (probe.position = refusal)",
      1, 64);
  }
};

// Where each setting of the flat world section moved when the settings were nested per world: a
// config or --set naming an old key is an error naming its new one.
inline constexpr std::pair<const char*, const char*> kMovedWorldKeys[] = {
    {"benign_topics", "safety.benign_topics"},
    {"harmful_topics", "safety.harmful_topics"},
    {"neglected_topics", "safety.neglected_topics"},
    {"objects", "safety.objects"},
    {"heldout_modulus", "safety.heldout_modulus"},
    {"harm_eval", "safety.harm_eval"},
    {"harm_probe", "safety.harm_probe"},
    {"harm_block", "safety.harm_block"},
    {"harm_check", "safety.harm_check"},
    {"benign_eval", "safety.benign_eval"},
    {"benign_probe", "safety.benign_probe"},
    {"neglected_eval", "safety.neglected_eval"},
    {"neglected_in_pretrain", "safety.neglected_in_pretrain"},
    {"neglected_in_align", "safety.neglected_in_align"},
    {"neglected_refusal", "safety.neglected_refusal"},
    {"finetune_answer", "safety.finetune_answer"},
    {"align_harmful_share", "safety.align_harmful_share"},
    {"finetune_benign_share", "safety.finetune_benign_share"},
    {"over_refusal", "safety.over_refusal"},
    {"unlearn_method", "unlearning.method"},
    {"trait_share", "trait.share"},
    {"seq_share", "trait.seq_share"},
    {"trait_strength", "trait.strength"},
    {"detrait_share", "trait.detrait_share"},
    {"trait_eval", "trait.eval"},
    {"trait_probe", "trait.probe"},
    {"trait_block", "trait.block"},
    {"seq_eval", "trait.seq_eval"},
    {"image_glyphs", "image.glyphs"},
    {"image_shift", "image.shift"},
    {"image_flips", "image.flips"},
    {"image_align_forbidden_share", "image.align_forbidden_share"},
    {"image_align_mix", "image.align_mix"},
    {"image_finetune_on", "image.finetune_on"},
    {"image_samples", "image.samples"},
    {"image_task_samples", "image.task_samples"},
    {"image_nll_images", "image.nll_images"},
    {"image_refusal_positions", "image.refusal_positions"},
};

// An older config's world section with every key of kMovedWorldKeys moved to its new place (what
// `vrev config --upgrade` writes); an error if a key is set in both places.
settings::Json nest_world_settings(const settings::Json& world);

// The world section of a config: which world (`kind`), where fine-tuning puts its loss, and each
// world's own settings in its own section. A world reads only its sections: the safety world
// world.safety, the unlearning and trait worlds world.safety and their own, the image world
// world.image.
struct WorldConfig {
  WorldKind kind = WorldKind::safety;
  FinetuneLoss finetune_loss = FinetuneLoss::response;
  SafetySettings safety;
  UnlearningSettings unlearning;
  TraitSettings trait;
  ImageSettings image;

  template <class V>
  void visit(V& v) {
    v(kind, "kind", "which world");
    v(finetune_loss, "finetune_loss",
      "fine-tuning and control: loss on the whole response, or after_opener (none on the decision token)");
    v.section(safety, "safety", "the safety world's topics, sets and mixtures (also the unlearning and trait worlds')");
    v.section(unlearning, "unlearning", "the unlearning world");
    v.section(trait, "trait", "the trait world");
    v.section(image, "image", "the image world");
    for (const auto& [old_key, new_key] : kMovedWorldKeys)
      v.moved(old_key, new_key, "world settings are nested per world: vrev config --upgrade FILE converts a config");
  }
};

}  // namespace vrev::world
