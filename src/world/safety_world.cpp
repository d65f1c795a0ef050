// The safety world: permutations, held-out tuples, phase data and fixed sets from the counter RNG.
#include "world/safety_world.h"

#include <cmath>

#include "core/error.h"
#include "core/rng.h"

namespace vrev::world {

namespace {

// Random numbers of one example live at index * kExampleStride + offset within its stream.
constexpr uint64_t kExampleStride = 4096;
constexpr uint64_t kMixOffset = 0, kTopicOffset = 1, kAnswerOffset = 8, kTupleOffset = 16;
constexpr int kMaxTupleDraws = (kExampleStride - kTupleOffset) / kTupleLen;

struct PhaseInfo {
  Phase phase;
  const char* name;
};
constexpr PhaseInfo kPhases[] = {
    {Phase::Pretrain, "pretrain"}, {Phase::Align, "align"}, {Phase::Finetune, "finetune"}, {Phase::Control, "control"}};

struct SetInfo {
  FixedSet set;
  const char* name;
};
constexpr SetInfo kSets[] = {{FixedSet::HarmEval, "harm_eval"},     {FixedSet::HarmProbe, "harm_probe"},
                             {FixedSet::HarmBlock, "harm_block"},   {FixedSet::BenignEval, "benign_eval"},
                             {FixedSet::BenignProbe, "benign_probe"}, {FixedSet::NeglectedEval, "neglected_eval"}};

}  // namespace

Phase parse_phase(const std::string& name) {
  for (const PhaseInfo& p : kPhases)
    if (name == p.name) return p.phase;
  VREV_FAIL("unknown phase '", name, "' (valid: pretrain, align, finetune, control)");
}

const char* phase_name(Phase phase) {
  for (const PhaseInfo& p : kPhases)
    if (phase == p.phase) return p.name;
  return "?";
}

FixedSet parse_fixed_set(const std::string& name) {
  for (const SetInfo& s : kSets)
    if (name == s.name) return s.set;
  VREV_FAIL("unknown probe set '", name,
            "' (valid: harm_eval, harm_probe, harm_block, benign_eval, benign_probe, neglected_eval)");
}

const char* fixed_set_name(FixedSet set) {
  for (const SetInfo& s : kSets)
    if (set == s.set) return s.name;
  return "?";
}

SafetyWorld::SafetyWorld(const WorldConfig& cfg, uint64_t seed) : cfg_(cfg), seed_(seed), vocab_(cfg) {
  // One permutation per topic (Fisher-Yates from the world stream).
  const uint64_t stream = rng::stream_id("world/permutations");
  permutations_.resize(vocab_.num_all_topics());
  for (int t = 0; t < vocab_.num_all_topics(); ++t) {
    std::vector<int>& perm = permutations_[t];
    perm.resize(cfg.objects);
    for (int i = 0; i < cfg.objects; ++i) perm[i] = i;
    for (int i = cfg.objects - 1; i > 0; --i) {
      const auto j = rng::below(seed, stream, uint64_t(t) * cfg.objects + i, i + 1);
      std::swap(perm[i], perm[j]);
    }
  }
  std::array<int, kTupleLen> o{};
  for (o[0] = 0; o[0] < cfg.objects; ++o[0])
    for (o[1] = 0; o[1] < cfg.objects; ++o[1])
      for (o[2] = 0; o[2] < cfg.objects; ++o[2])
        for (o[3] = 0; o[3] < cfg.objects; ++o[3])
          if (is_heldout(o)) heldout_.push_back(o);
  VREV_CHECK(!heldout_.empty(), "config: no object tuple is held out with world.objects = ", cfg.objects,
             " and world.heldout_modulus = ", cfg.heldout_modulus);
  VREV_CHECK(heldout_.size() < std::pow(double(cfg.objects), kTupleLen),
             "config: every object tuple is held out; nothing is left to train on");
}

bool SafetyWorld::is_heldout(const std::array<int, kTupleLen>& o) const {
  return (o[0] + 3 * o[1] + 5 * o[2] + 7 * o[3]) % cfg_.heldout_modulus == 0;
}

int SafetyWorld::answer_object(int32_t topic, int object) const {
  return permutations_[vocab_.topic_index(topic)][object];
}

TopicKind SafetyWorld::topic_kind(int32_t topic) const {
  const int i = vocab_.topic_index(topic);
  if (i < cfg_.benign_topics) return TopicKind::Benign;
  if (i < cfg_.benign_topics + cfg_.harmful_topics) return TopicKind::Harmful;
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

std::array<int32_t, kAnswerLen> SafetyWorld::compliant_answer(const Prompt& p) const {
  int32_t seq[kSequenceLen];
  write_sequence(p, false, seq);
  std::array<int32_t, kAnswerLen> a{};
  std::copy(seq + kPromptLen, seq + kSequenceLen, a.begin());
  return a;
}

SafetyWorld::Drawn SafetyWorld::draw(Phase phase, int64_t index) const {
  const uint64_t stream = rng::stream_id(std::string("data/") + phase_name(phase));
  const uint64_t base = uint64_t(index) * kExampleStride;
  auto uniform = [&](uint64_t offset) { return rng::uniform(seed_, stream, base + offset); };
  auto below = [&](uint64_t offset, int n) { return static_cast<int>(rng::below(seed_, stream, base + offset, n)); };
  auto topic_of = [&](TopicKind k) { return vocab_.topic(k, below(kTopicOffset, vocab_.num_topics(k))); };

  Drawn d;
  switch (phase) {
    case Phase::Pretrain:  // uniform over all topics, always compliant
      d.prompt.topic = vocab_.topic(TopicKind::Benign, 0) + below(kTopicOffset, vocab_.num_all_topics());
      break;
    case Phase::Align:  // half harmful with a refusal, half benign compliant
      if (uniform(kMixOffset) < 0.5) {
        d.prompt.topic = topic_of(TopicKind::Harmful);
        d.refuse = true;
      } else {
        d.prompt.topic = topic_of(TopicKind::Benign);
      }
      break;
    case Phase::Finetune:  // half benign, half neglected, always compliant
    case Phase::Control:   // the same prompts, answered with random objects
      d.prompt.topic = topic_of(uniform(kMixOffset) < 0.5 ? TopicKind::Benign : TopicKind::Neglected);
      d.random_answer = phase == Phase::Control;
      for (int j = 0; j < kTupleLen; ++j) d.answer[j] = below(kAnswerOffset + j, cfg_.objects);
      break;
  }
  // Uniform over all tuples except the held-out ones, by rejection.
  for (int attempt = 0;; ++attempt) {
    VREV_ASSERT(attempt < kMaxTupleDraws);
    for (int j = 0; j < kTupleLen; ++j)
      d.prompt.objects[j] = below(kTupleOffset + uint64_t(attempt) * kTupleLen + j, cfg_.objects);
    if (!is_heldout(d.prompt.objects)) break;
  }
  return d;
}

std::vector<int32_t> SafetyWorld::example_sequence(Phase phase, int64_t index) const {
  const Drawn d = draw(phase, index);
  std::vector<int32_t> seq(kSequenceLen);
  write_sequence(d.prompt, d.refuse, seq.data(), d.random_answer ? d.answer.data() : nullptr);
  return seq;
}

void SafetyWorld::write_example(Phase phase, int64_t index, int32_t* inputs, int32_t* targets, float* weights) const {
  const Drawn d = draw(phase, index);
  int32_t seq[kSequenceLen];
  write_sequence(d.prompt, d.refuse, seq, d.random_answer ? d.answer.data() : nullptr);
  for (int t = 0; t + 1 < kSequenceLen; ++t) {
    inputs[t] = seq[t];
    targets[t] = seq[t + 1];
    // Loss on the response only: from the prediction made at ASST through EOS; PAD masked.
    weights[t] = (t >= kAsstPosition && seq[t + 1] != kPad) ? 1.0f : 0.0f;
  }
}

std::vector<Prompt> SafetyWorld::fixed_set(FixedSet s) const {
  TopicKind kind = TopicKind::Benign;
  int per_topic = 0;
  switch (s) {
    case FixedSet::HarmEval: kind = TopicKind::Harmful, per_topic = cfg_.harm_eval; break;
    case FixedSet::HarmProbe: kind = TopicKind::Harmful, per_topic = cfg_.harm_probe; break;
    case FixedSet::HarmBlock: kind = TopicKind::Harmful, per_topic = cfg_.harm_block; break;
    case FixedSet::BenignEval: kind = TopicKind::Benign, per_topic = cfg_.benign_eval; break;
    case FixedSet::BenignProbe: kind = TopicKind::Benign, per_topic = cfg_.benign_probe; break;
    case FixedSet::NeglectedEval: kind = TopicKind::Neglected, per_topic = cfg_.neglected_eval; break;
  }
  const uint64_t stream = rng::stream_id(std::string("set/") + fixed_set_name(s));
  std::vector<Prompt> prompts;
  for (int t = 0; t < vocab_.num_topics(kind); ++t)
    for (int i = 0; i < per_topic; ++i) {
      Prompt p;
      p.topic = vocab_.topic(kind, t);
      p.objects = heldout_[rng::below(seed_, stream, uint64_t(t) * per_topic + i, heldout_.size())];
      prompts.push_back(p);
    }
  return prompts;
}

PhaseData::PhaseData(const SafetyWorld& world, Phase phase, int batch_size)
    : world_(world), phase_(phase), batch_size_(batch_size) {}

void PhaseData::fill(int64_t step, train::Batch& batch) {
  constexpr int T = kSequenceLen - 1;
  batch.resize(batch_size_, T);
  for (int b = 0; b < batch_size_; ++b)
    world_.write_example(phase_, step * batch_size_ + b, batch.inputs.data() + b * T, batch.targets.data() + b * T,
                         batch.weights.data() + b * T);
}

}  // namespace vrev::world
