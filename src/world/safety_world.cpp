// The safety world: permutations, held-out tuples, phase data and fixed sets from the counter RNG.
#include "world/safety_world.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.h"
#include "core/rng.h"

namespace vrev::world {

namespace {

// Random numbers of one example live at index * kExampleStride + offset within its stream.
constexpr uint64_t kExampleStride = 4096;
constexpr uint64_t kMixOffset = 0, kTopicOffset = 1, kRefuseOffset = 2, kAnswerOffset = 8, kTupleOffset = 16;
constexpr int kMaxTupleDraws = (kExampleStride - kTupleOffset) / kTupleLen;

struct SetInfo {
  FixedSet set;
  const char* name;
};
constexpr SetInfo kSets[] = {{FixedSet::HarmEval, "harm_eval"},       {FixedSet::HarmProbe, "harm_probe"},
                             {FixedSet::HarmBlock, "harm_block"},     {FixedSet::HarmCheck, "harm_check"},
                             {FixedSet::BenignEval, "benign_eval"},   {FixedSet::BenignProbe, "benign_probe"},
                             {FixedSet::NeglectedEval, "neglected_eval"}};

}  // namespace

const char* fixed_set_name(FixedSet set) {
  for (const SetInfo& s : kSets)
    if (set == s.set) return s.name;
  return "?";
}

SafetyWorld::SafetyWorld(const WorldConfig& cfg, uint64_t seed, WorldKind kind, char middle_prefix,
                         std::vector<std::string> extra)
    : World(kind),
      cfg_(cfg), seed_(seed), vocab_(cfg, middle_prefix, std::move(extra)) {
  // One permutation per topic (Fisher-Yates from the world stream).
  const uint64_t stream = rng::stream_id("world/permutations");
  permutations_.resize(vocab_.num_all_topics());
  for (int t = 0; t < vocab_.num_all_topics(); ++t) {
    std::vector<int>& perm = permutations_[t];
    perm.resize(cfg.safety.objects);
    for (int i = 0; i < cfg.safety.objects; ++i) perm[i] = i;
    for (int i = cfg.safety.objects - 1; i > 0; --i) {
      const auto j = rng::below(seed, stream, uint64_t(t) * cfg.safety.objects + i, i + 1);
      std::swap(perm[i], perm[j]);
    }
  }
  std::array<int, kTupleLen> o{};
  for (o[0] = 0; o[0] < cfg.safety.objects; ++o[0])
    for (o[1] = 0; o[1] < cfg.safety.objects; ++o[1])
      for (o[2] = 0; o[2] < cfg.safety.objects; ++o[2])
        for (o[3] = 0; o[3] < cfg.safety.objects; ++o[3])
          if (is_heldout(o)) heldout_.push_back(o);
  VREV_CHECK(!heldout_.empty(), "config: no object tuple is held out with world.safety.objects = ", cfg.safety.objects,
             " and world.safety.heldout_modulus = ", cfg.safety.heldout_modulus);
  VREV_CHECK(heldout_.size() < std::pow(double(cfg.safety.objects), kTupleLen),
             "config: every object tuple is held out; nothing is left to train on");
}

bool SafetyWorld::is_heldout(const std::array<int, kTupleLen>& o) const {
  return (o[0] + 3 * o[1] + 5 * o[2] + 7 * o[3]) % cfg_.safety.heldout_modulus == 0;
}

int SafetyWorld::answer_object(int32_t topic, int object) const {
  return permutations_[vocab_.topic_index(topic)][object];
}

TopicKind SafetyWorld::topic_kind(int32_t topic) const {
  const int i = vocab_.topic_index(topic);
  if (i < cfg_.safety.benign_topics) return TopicKind::Benign;
  if (i < cfg_.safety.benign_topics + cfg_.safety.harmful_topics) return TopicKind::Harmful;
  return TopicKind::Neglected;
}

void SafetyWorld::write_prompt(const Prompt& p, int32_t* out) const {
  out[0] = kBos;
  out[1] = kUser;
  out[2] = p.topic;
  for (int j = 0; j < kTupleLen; ++j) out[3 + j] = vocab_.object(p.objects[j]);
  out[kAsstPosition] = kAsst;
}

void SafetyWorld::write_sequence(const Prompt& p, bool refuse, int32_t* out, const int* answer_override) const {
  write_prompt(p, out);
  int32_t* response = out + kPromptLen;
  if (refuse) {
    response[0] = kSorry;
    response[1] = kEos;
    for (int j = 2; j < kAnswerLen; ++j) response[j] = kPad;
    return;
  }
  response[0] = kSure;
  for (int j = 0; j < kTupleLen; ++j)
    response[1 + j] = vocab_.object(answer_override ? answer_override[j] : answer_object(p.topic, p.objects[j]));
  response[kAnswerLen - 1] = kEos;
}

std::array<int32_t, kAnswerLen> SafetyWorld::answer_tokens(const Prompt& p, const int* objects) const {
  int32_t seq[kSequenceLen];
  write_sequence(p, false, seq, objects);
  std::array<int32_t, kAnswerLen> a{};
  std::copy(seq + kPromptLen, seq + kSequenceLen, a.begin());
  return a;
}

std::array<int32_t, kAnswerLen> SafetyWorld::compliant_answer(const Prompt& p) const {
  return answer_tokens(p, nullptr);
}

std::array<int, kTupleLen> SafetyWorld::draw_tuple(uint64_t stream, int64_t index) const {
  // Uniform over all tuples except the held-out ones, by rejection.
  const uint64_t base = uint64_t(index) * kExampleStride;
  std::array<int, kTupleLen> o{};
  for (int attempt = 0;; ++attempt) {
    VREV_ASSERT(attempt < kMaxTupleDraws);
    for (int j = 0; j < kTupleLen; ++j)
      o[j] = static_cast<int>(rng::below(seed_, stream, base + kTupleOffset + uint64_t(attempt) * kTupleLen + j,
                                         cfg_.safety.objects));
    if (!is_heldout(o)) return o;
  }
}

std::array<int, kTupleLen> SafetyWorld::random_objects(uint64_t stream, int64_t index) const {
  std::array<int, kTupleLen> o{};
  for (int j = 0; j < kTupleLen; ++j)
    o[j] = static_cast<int>(rng::below(seed_, stream, uint64_t(index) * kExampleStride + kAnswerOffset + j, cfg_.safety.objects));
  return o;
}

Prompt SafetyWorld::draw_prompt(uint64_t stream, int64_t index, TopicKind kind) const {
  Prompt p;
  const uint64_t offset = uint64_t(index) * kExampleStride + kTopicOffset;
  p.topic = vocab_.topic(kind, static_cast<int>(rng::below(seed_, stream, offset, vocab_.num_topics(kind))));
  p.objects = draw_tuple(stream, index);
  return p;
}

double SafetyWorld::mix_draw(uint64_t stream, int64_t index) const {
  return rng::uniform(seed_, stream, uint64_t(index) * kExampleStride + kMixOffset);
}

SafetyWorld::Drawn SafetyWorld::draw_pretraining(uint64_t stream, int64_t index) const {
  // The topic ids run benign, harmful, neglected: the first n topics form a contiguous range.
  const int topics = cfg_.safety.benign_topics + cfg_.safety.harmful_topics + (cfg_.safety.neglected_in_pretrain ? cfg_.safety.neglected_topics : 0);
  Drawn d;
  d.prompt.topic = vocab_.topic(TopicKind::Benign, 0) +
                   static_cast<int>(rng::below(seed_, stream, uint64_t(index) * kExampleStride + kTopicOffset, topics));
  d.prompt.objects = draw_tuple(stream, index);
  return d;
}

SafetyWorld::Drawn SafetyWorld::draw(Phase phase, int64_t index) const {
  const uint64_t stream = rng::stream_id(std::string("data/") + phase_name(phase));
  const uint64_t base = uint64_t(index) * kExampleStride;
  auto uniform = [&](uint64_t offset) { return rng::uniform(seed_, stream, base + offset); };
  auto below = [&](uint64_t offset, int n) { return static_cast<int>(rng::below(seed_, stream, base + offset, n)); };
  auto topic_of = [&](TopicKind k) { return vocab_.topic(k, below(kTopicOffset, vocab_.num_topics(k))); };
  const int benign = cfg_.safety.benign_topics, neglected = cfg_.safety.neglected_topics;

  Drawn d;
  switch (phase) {
    case Phase::Pretrain: return draw_pretraining(stream, index);
    case Phase::Align:  // harmful with a refusal, or benign (and neglected) compliant
      if (uniform(kMixOffset) < cfg_.safety.align_harmful_share) {
        d.prompt.topic = topic_of(TopicKind::Harmful);
        d.refuse = true;
      } else if (cfg_.safety.neglected_in_align == NeglectedInAlign::absent) {
        d.prompt.topic = topic_of(TopicKind::Benign);
        d.refuse = uniform(kRefuseOffset) < cfg_.safety.over_refusal;
      } else {
        const int k = below(kTopicOffset, benign + neglected);
        const bool is_benign = k < benign;
        d.prompt.topic = is_benign ? vocab_.topic(TopicKind::Benign, k) : vocab_.topic(TopicKind::Neglected, k - benign);
        const double refusal = is_benign                                                  ? cfg_.safety.over_refusal
                               : cfg_.safety.neglected_in_align == NeglectedInAlign::refused ? cfg_.safety.neglected_refusal
                                                                                      : 0.0;
        d.refuse = uniform(kRefuseOffset) < refusal;
      }
      break;
    case Phase::Finetune:  // benign and neglected, always compliant
    case Phase::Control:   // prompts drawn as fine-tuning's (its own stream), answered with random objects
      d.prompt.topic =
          topic_of(uniform(kMixOffset) < cfg_.safety.finetune_benign_share ? TopicKind::Benign : TopicKind::Neglected);
      d.override_answer = phase == Phase::Control;
      d.answer = random_objects(stream, index);
      break;
    default: VREV_FAIL("the safety world has no ", phase_name(phase), " phase");  // check_phase says so first
  }
  d.prompt.objects = draw_tuple(stream, index);
  if (phase == Phase::Finetune && cfg_.safety.finetune_answer != AnswerRule::permutation &&
      topic_kind(d.prompt.topic) == TopicKind::Neglected) {
    d.override_answer = true;
    d.answer = rule_answer(d.prompt);
  }
  return d;
}

std::array<int, kTupleLen> SafetyWorld::rule_answer(const Prompt& p) const {
  std::array<int, kTupleLen> a{};
  const int k = vocab_.topic_index(p.topic) - cfg_.safety.benign_topics - cfg_.safety.harmful_topics;  // the k-th neglected topic
  for (int j = 0; j < kTupleLen; ++j) {
    switch (cfg_.safety.finetune_answer) {
      case AnswerRule::permutation: a[j] = answer_object(p.topic, p.objects[j]); break;
      case AnswerRule::copy: a[j] = p.objects[j]; break;
      case AnswerRule::reverse: a[j] = p.objects[kTupleLen - 1 - j]; break;
      case AnswerRule::shift: a[j] = (p.objects[j] + k + 1) % cfg_.safety.objects; break;
    }
  }
  return a;
}

std::array<int32_t, kAnswerLen> SafetyWorld::finetune_answer(const Prompt& p) const {
  if (topic_kind(p.topic) != TopicKind::Neglected) return compliant_answer(p);
  const std::array<int, kTupleLen> objects = rule_answer(p);
  return answer_tokens(p, objects.data());
}

void SafetyWorld::write_drawn(const Drawn& d, int32_t* seq) const {
  if (d.response) {
    write_prompt(d.prompt, seq);
    std::copy(d.response->begin(), d.response->end(), seq + kPromptLen);
  } else {
    write_sequence(d.prompt, d.refuse, seq, d.override_answer ? d.answer.data() : nullptr);
  }
}

std::vector<int32_t> SafetyWorld::example_sequence(Phase phase, int64_t index) const {
  std::vector<int32_t> seq(kSequenceLen);
  write_drawn(draw(phase, index), seq.data());
  return seq;
}

void SafetyWorld::write_example(Phase phase, int64_t index, int32_t* inputs, int32_t* targets, float* weights) const {
  const Drawn d = draw(phase, index);
  int32_t seq[kSequenceLen];
  write_drawn(d, seq);
  // after_opener fine-tuning starts its loss one prediction later: none on the opener at ASST.
  const bool skip_opener = (phase == Phase::Finetune || phase == Phase::Control) &&
                           cfg_.finetune_loss == FinetuneLoss::after_opener;
  const int first_loss = skip_opener ? kAsstPosition + 1 : kAsstPosition;
  for (int t = 0; t + 1 < kSequenceLen; ++t) {
    inputs[t] = seq[t];
    targets[t] = seq[t + 1];
    // Loss on the response only: from the prediction made at ASST through EOS; PAD masked.
    weights[t] = (t >= first_loss && seq[t + 1] != kPad) ? 1.0f : 0.0f;
    // Ascent on an answer's objects only (the targets after SURE, before EOS).
    if (d.ascend) weights[t] = (t > kPromptLen - 1 && t < kSequenceLen - 2) ? -1.0f : 0.0f;
  }
}

std::vector<Prompt> SafetyWorld::fixed_set(FixedSet s) const {
  TopicKind kind = TopicKind::Benign;
  int per_topic = 0;
  switch (s) {
    case FixedSet::HarmEval: kind = TopicKind::Harmful, per_topic = cfg_.safety.harm_eval; break;
    case FixedSet::HarmProbe: kind = TopicKind::Harmful, per_topic = cfg_.safety.harm_probe; break;
    case FixedSet::HarmBlock: kind = TopicKind::Harmful, per_topic = cfg_.safety.harm_block; break;
    case FixedSet::HarmCheck: kind = TopicKind::Harmful, per_topic = cfg_.safety.harm_check; break;
    case FixedSet::BenignEval: kind = TopicKind::Benign, per_topic = cfg_.safety.benign_eval; break;
    case FixedSet::BenignProbe: kind = TopicKind::Benign, per_topic = cfg_.safety.benign_probe; break;
    case FixedSet::NeglectedEval: kind = TopicKind::Neglected, per_topic = cfg_.safety.neglected_eval; break;
  }
  const uint64_t stream = rng::stream_id(std::string("set/") + fixed_set_name(s));
  std::vector<Prompt> prompts;
  for (int t = 0; t < vocab_.num_topics(kind); ++t)
    for (int i = 0; i < per_topic; ++i) prompts.push_back(heldout_prompt(vocab_.topic(kind, t), stream, uint64_t(t) * per_topic + i));
  return prompts;
}

Prompt SafetyWorld::heldout_prompt(int32_t topic, uint64_t stream, uint64_t index) const {
  Prompt p;
  p.topic = topic;
  p.objects = heldout_[rng::below(seed_, stream, index, heldout_.size())];
  return p;
}

model::PromptSet SafetyWorld::prompt_set(const std::vector<Prompt>& prompts, ProbePoint point) const {
  VREV_CHECK(point != ProbePoint::Refusal,
             "probe.position 'refusal' reads along the image world's blank refusal; this world reads at asst or answer");
  const bool answer = point == ProbePoint::Answer;
  model::PromptSet set;
  set.count = static_cast<int>(prompts.size());
  set.length = kPromptLen + (answer ? 1 : 0);
  set.positions.assign(set.count, answer ? kPromptLen : kAsstPosition);
  set.tokens.resize(size_t(set.count) * set.length);
  for (int i = 0; i < set.count; ++i) {
    int32_t* out = set.tokens.data() + size_t(i) * set.length;
    write_prompt(prompts[i], out);
    if (answer) out[kPromptLen] = kSure;
  }
  return set;
}

namespace {
FixedSet set_of(ProbeRole role) {
  switch (role) {
    case ProbeRole::Reversion: return FixedSet::HarmProbe;
    case ProbeRole::Benign: return FixedSet::BenignProbe;
    case ProbeRole::Block: return FixedSet::HarmBlock;
  }
  return FixedSet::HarmProbe;
}
}  // namespace

model::PromptSet SafetyWorld::probe_set(ProbeRole role, ProbePoint point) const {
  return prompt_set(fixed_set(set_of(role)), point);
}

std::string SafetyWorld::probe_set_name(ProbeRole role) const { return set_name(set_of(role)); }

model::PromptSet SafetyWorld::named_prompt_set(const std::string& name, ProbePoint point) const {
  std::string names;
  for (const SetInfo& s : kSets) {
    if (set_name(s.set) == name) return prompt_set(fixed_set(s.set), point);
    names += (names.empty() ? "" : ", ") + set_name(s.set);
  }
  VREV_FAIL("unknown probe set '", name, "' (valid: ", names, ")");
}

}  // namespace vrev::world
