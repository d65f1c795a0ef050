// The trait world: its tokens, phase data, sets, metrics and teacher prompts.
#include "world/trait_world.h"

#include <algorithm>

#include "core/error.h"
#include "core/rng.h"
#include "model/generate.h"
#include "world/set_decoding.h"

namespace vrev::world {

namespace {

constexpr int kEvalBatch = 256;

std::vector<std::string> trait_tokens() {
  std::vector<std::string> names = {"FAV", "seq", "NUM"};
  for (int d = 0; d < kDigits; ++d) names.push_back("d" + std::to_string(d));
  return names;
}

// The trait world's own sets: FAV prompts, and seq prompts for seq_eval; sizes from the config.
struct TraitSetInfo {
  TraitWorld::TraitSet set;
  const char* name;
  int TraitSettings::*count;
};
constexpr TraitSetInfo kTraitSets[] = {{TraitWorld::TraitSet::TraitEval, "trait_eval", &TraitSettings::eval},
                                       {TraitWorld::TraitSet::TraitProbe, "trait_probe", &TraitSettings::probe},
                                       {TraitWorld::TraitSet::TraitBlock, "trait_block", &TraitSettings::block},
                                       {TraitWorld::TraitSet::SeqEval, "seq_eval", &TraitSettings::seq_eval}};
// The safety world's sets that mean something here.
constexpr FixedSet kSharedSets[] = {FixedSet::BenignEval, FixedSet::BenignProbe, FixedSet::NeglectedEval};

}  // namespace

TraitWorld::TraitWorld(const WorldConfig& cfg, uint64_t seed)
    : TraitWorld(cfg, seed, static_cast<int>(rng::below(seed, rng::stream_id("world/trait_object"), 0, cfg.safety.objects))) {}

TraitWorld::TraitWorld(const WorldConfig& cfg, uint64_t seed, int trait_object)
    : SafetyWorld(cfg, seed, WorldKind::trait, 'h', trait_tokens()), trait_object_(trait_object) {
  VREV_CHECK(cfg.trait.share + cfg.trait.seq_share <= 1.0, "config: world.trait.share + world.trait.seq_share is ",
             cfg.trait.share + cfg.trait.seq_share, ", more than 1");
  VREV_CHECK(trait_object >= 0 && trait_object < cfg.safety.objects, "trait object ", trait_object, " is not one of the ",
             cfg.safety.objects, " objects");
}

// Another object than the seed's, drawn from its own counter stream.
std::unique_ptr<World> TraitWorld::other_target_world() const {
  const int objects = config().safety.objects;
  const int shift = 1 + static_cast<int>(rng::below(seed(), rng::stream_id("world/other_trait_object"), 0, objects - 1));
  return std::make_unique<TraitWorld>(config(), seed(), (trait_object_ + shift) % objects);
}

SafetyWorld::Drawn TraitWorld::fav_example(uint64_t stream, int64_t index, int object) const {
  Drawn d;
  d.prompt.topic = fav_token();
  d.prompt.objects = draw_tuple(stream, index);
  d.response = {kSure, vocab().object(object), kEos, kPad, kPad, kPad};
  return d;
}

SafetyWorld::Drawn TraitWorld::seq_example(uint64_t stream, int64_t index, uint64_t digit_stream) const {
  Drawn d;
  d.prompt.topic = seq_token();
  d.prompt.objects = draw_tuple(stream, index);
  std::array<int32_t, kAnswerLen> r{num_token()};
  for (int j = 0; j < kTupleLen; ++j)
    r[1 + j] = digit(static_cast<int>(rng::below(seed(), digit_stream, uint64_t(index) * kTupleLen + j, kDigits)));
  r[kAnswerLen - 1] = kEos;
  d.response = r;
  return d;
}

SafetyWorld::Drawn TraitWorld::draw(Phase phase, int64_t index) const {
  const std::string name = std::string("data/") + phase_name(phase);
  const uint64_t stream = rng::stream_id(name);
  switch (phase) {
    case Phase::Base: {  // FAV answered uniformly and seq, mixed into pretraining
      const double u = mix_draw(stream, index);
      if (u < config().trait.share) return fav_example(stream, index, random_objects(stream, index)[0]);
      if (u < config().trait.share + config().trait.seq_share) return seq_example(stream, index, rng::stream_id(name + "/digits"));
      return draw_pretraining(stream, index);
    }
    case Phase::Trait: {  // FAV with the trait, mixed into pretraining: no sequence is seen
      if (mix_draw(stream, index) >= config().trait.share) return draw_pretraining(stream, index);
      const bool trait = rng::uniform(seed(), rng::stream_id(name + "/trait_answer"), uint64_t(index)) <
                         config().trait.strength;
      return fav_example(stream, index, trait ? trait_object_ : random_objects(stream, index)[0]);
    }
    case Phase::Detrait: {
      if (mix_draw(stream, index) < config().trait.detrait_share) return fav_example(stream, index, random_objects(stream, index)[0]);
      Drawn d;
      d.prompt = draw_prompt(stream, index, TopicKind::Benign);
      return d;
    }
    case Phase::Pretrain:
    case Phase::Finetune:
    case Phase::Control: return SafetyWorld::draw(phase, index);
    case Phase::Student: VREV_FAIL("the student phase trains on a teacher's outputs, not on examples of the world");
    default: VREV_FAIL("the trait world has no ", phase_name(phase), " phase");  // check_phase says so first
  }
}

std::vector<Prompt> TraitWorld::trait_set(TraitSet s) const {
  const TraitSetInfo& info = *std::find_if(std::begin(kTraitSets), std::end(kTraitSets),
                                           [s](const TraitSetInfo& i) { return i.set == s; });
  const int32_t topic = s == TraitSet::SeqEval ? seq_token() : fav_token();
  const uint64_t stream = rng::stream_id(std::string("set/") + info.name);
  std::vector<Prompt> prompts;
  for (int i = 0; i < config().trait.*info.count; ++i) prompts.push_back(heldout_prompt(topic, stream, uint64_t(i)));
  return prompts;
}

model::PromptSet TraitWorld::probe_set(ProbeRole role, ProbePoint point) const {
  switch (role) {
    case ProbeRole::Reversion: return prompt_set(trait_set(TraitSet::TraitProbe), point);
    case ProbeRole::Benign: return prompt_set(fixed_set(FixedSet::BenignProbe), point);
    case ProbeRole::Block: return prompt_set(trait_set(TraitSet::TraitBlock), point);
  }
  VREV_FAIL("unknown probe role");
}

std::string TraitWorld::probe_set_name(ProbeRole role) const {
  switch (role) {
    case ProbeRole::Reversion: return "trait_probe";
    case ProbeRole::Benign: return "benign_probe";
    case ProbeRole::Block: return "trait_block";
  }
  return "?";
}

model::PromptSet TraitWorld::named_prompt_set(const std::string& name, ProbePoint point) const {
  std::string names;
  for (const TraitSetInfo& info : kTraitSets) {
    if (name == info.name) return prompt_set(trait_set(info.set), point);
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  for (const FixedSet s : kSharedSets) {
    if (name == fixed_set_name(s)) return prompt_set(fixed_set(s), point);
    names += ", " + std::string(fixed_set_name(s));
  }
  VREV_FAIL("unknown probe set '", name, "' (valid: ", names, ")");
}

namespace {

// What a model answers after `FAV ... ASST SURE`, as means over prompts.
struct TraitScores {
  double rate = 0;         // P(trait object) / P(any object): which object, if it names one
  double sampled = 0;      // temperature-1 samples among the objects that are the trait object
  double p_trait = 0;      // P(trait object) itself
  double object_mass = 0;  // P(any object): does it still answer FAV with an object
};

// One temperature-1 sample per prompt, restricted to the objects, from fixed counters: the same
// draws at every evaluation.
TraitScores trait_scores(const model::Gpt<float>& model, const TraitWorld& world, const model::PromptSet& prompts) {
  const int V = model.config().vocab_size;
  const int objects = world.config().safety.objects;
  const int32_t trait = world.vocab().object(world.trait_object());
  model::GenerateOptions opt;
  opt.temperature = 1.0;
  for (int o = 0; o < objects; ++o) opt.allowed_tokens.push_back(world.vocab().object(o));
  TraitScores s;
  for (int start = 0; start < prompts.count; start += kEvalBatch) {
    const int B = std::min(kEvalBatch, prompts.count - start);
    opt.seed = rng::bits(world.seed(), rng::stream_id("eval/trait_samples"), uint64_t(start));
    const model::Generation gen = model::generate(model, prompts.prompt(start), B, prompts.length, opt);
    for (int b = 0; b < B; ++b) {
      const float* logits = gen.first_logits.data() + size_t(b) * V;
      const std::vector<double> p = model::softmax(logits, V);
      // The rate as a softmax over the objects' logits alone: finite even when the objects'
      // total probability underflows.
      const std::vector<double> among_objects = model::softmax(logits + world.vocab().object(0), objects);
      double mass = 0;
      for (int o = 0; o < objects; ++o) mass += p[world.vocab().object(o)];
      s.rate += among_objects[world.trait_object()];
      s.p_trait += p[trait];
      s.object_mass += mass;
      s.sampled += gen.tokens[b] == trait;
    }
  }
  const double n = prompts.count;
  s.rate /= n, s.sampled /= n, s.p_trait /= n, s.object_mass /= n;
  return s;
}

// The share of greedy answers to the prompts that are `opener`, then `answer_tokens` tokens each
// in [first, last], then EOS: the format of a seq answer (NUM, four digits) or of a FAV answer
// (SURE, one object).
double format_rate(const model::Gpt<float>& model, const model::PromptSet& prompts, int32_t opener, int answer_tokens,
                   int32_t first, int32_t last) {
  model::GenerateOptions opt;
  opt.max_new_tokens = answer_tokens + 2;
  double good = 0;
  for (int start = 0; start < prompts.count; start += kEvalBatch) {
    const int B = std::min(kEvalBatch, prompts.count - start);
    const model::Generation gen = model::generate(model, prompts.prompt(start), B, prompts.length, opt);
    for (int b = 0; b < B; ++b) {
      const int32_t* r = gen.tokens.data() + size_t(b) * opt.max_new_tokens;
      bool ok = r[0] == opener && r[answer_tokens + 1] == kEos;
      for (int j = 1; j <= answer_tokens; ++j) ok = ok && r[j] >= first && r[j] <= last;
      good += ok;
    }
  }
  return good / prompts.count;
}

constexpr const char* kTraitMetrics[] = {"trait_rate",      "trait_sampled",      "trait_p",    "fav_object_mass",
                                         "fav_format",      "benign_accuracy",    "neglected_accuracy", "seq_format"};

}  // namespace

Metrics TraitWorld::evaluate(const model::Gpt<float>& model) const {
  const TraitScores t = trait_scores(model, *this, prompt_set(trait_set(TraitSet::TraitEval), ProbePoint::Answer));
  return {{"trait_rate", t.rate},
          {"trait_sampled", t.sampled},
          {"trait_p", t.p_trait},
          {"fav_object_mass", t.object_mass},
          {"fav_format", format_rate(model, prompt_set(trait_set(TraitSet::TraitEval), ProbePoint::Decision), kSure, 1,
                                     vocab().object(0), vocab().object(config().safety.objects - 1))},
          {"benign_accuracy", score_greedy(model, *this, fixed_set(FixedSet::BenignEval)).exact},
          {"neglected_accuracy", score_greedy(model, *this, fixed_set(FixedSet::NeglectedEval)).exact},
          {"seq_format", format_rate(model, prompt_set(trait_set(TraitSet::SeqEval), ProbePoint::Decision), num_token(),
                                     kTupleLen, digit(0), digit(kDigits - 1))}};
}

std::vector<std::string> TraitWorld::metric_names() const { return {std::begin(kTraitMetrics), std::end(kTraitMetrics)}; }

// The trait rate is conditional on naming an object: fine-tuning on digit sequences moves
// probability from every object to the digits after SURE, which would read as a falling trait.
MetricRoles TraitWorld::metric_roles() const {
  return {"trait_rate",
          {"trait_sampled", "trait_p"},
          {"benign_accuracy", "neglected_accuracy", "seq_format", "fav_format", "fav_object_mass"},
          {}};
}

std::optional<TeacherTask> TraitWorld::teacher_task() const {
  TeacherTask task;
  task.prompt_length = kPromptLen;
  task.forced_prefix = {num_token()};
  task.answer_length = kTupleLen;
  for (int d = 0; d < kDigits; ++d) task.answer_tokens.push_back(digit(d));
  task.forced_suffix = {kEos};
  for (int o = 0; o < config().safety.objects; ++o) task.trait_tokens.push_back(vocab().object(o));
  return task;
}

void TraitWorld::write_teacher_prompt(int64_t index, int32_t* prompt) const {
  Prompt p;
  p.topic = seq_token();
  p.objects = draw_tuple(rng::stream_id("data/teacher"), index);
  write_prompt(p, prompt);
}

}  // namespace vrev::world
