// The trait world (docs/trait-world.md): its tokens and history, each phase's mixture as the
// config says, its sets and metrics, and teacher data: deterministic, filtered to digits, soft and
// full labels that are the teacher's distributions, noise labels on random tokens, epochs.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "alloc_counter.h"
#include "train/trainer.h"
#include "experiment/arm.h"
#include "experiment/config.h"
#include "model/generate.h"
#include "model/gpt.h"
#include "world/phase_data.h"
#include "world/teacher_data.h"
#include "world/trait_world.h"

using namespace vrev;
using namespace vrev::world;

namespace {

WorldConfig trait_config() {
  WorldConfig cfg;
  cfg.kind = WorldKind::trait;
  return cfg;
}

model::Gpt<float> small_model(const World& w, uint64_t seed) {
  model::ModelConfig mc;
  mc.vocab_size = w.vocab().size();
  mc.context = 16, mc.layers = 1, mc.width = 32, mc.heads = 2;
  model::Gpt<float> gpt(mc);
  gpt.init(seed);
  return gpt;
}

bool is_digit(const TraitWorld& w, int32_t t) { return t >= w.digit(0) && t <= w.digit(kDigits - 1); }

// The base stage's seq examples alone, in order.
class SeqExamples : public train::BatchSource {
 public:
  SeqExamples(const TraitWorld& w, int batch_size) : w_(w), batch_size_(batch_size) {}
  void fill(int64_t, train::Batch& batch) override {
    const int T = kSequenceLen - 1;
    batch.resize(batch_size_, T);
    for (int b = 0; b < batch_size_; ++b) {
      while (w_.example_sequence(Phase::Base, next_)[2] != w_.seq_token()) ++next_;
      const size_t row = size_t(b) * T;
      w_.write_example(Phase::Base, next_++, batch.inputs.data() + row, batch.targets.data() + row,
                       batch.weights.data() + row);
    }
  }

 private:
  const TraitWorld& w_;
  int batch_size_;
  int64_t next_ = 0;
};

// A small model trained on seq examples until it writes digits after NUM: a teacher whose
// samples pass the filter.
model::Gpt<float> digit_teacher(const TraitWorld& w, uint64_t seed) {
  model::Gpt<float> gpt = small_model(w, seed);
  SeqExamples data(w, 16);
  train::OptimizerConfig oc;
  train::Optimizer opt(oc, gpt.params().size());
  train::ScheduleConfig sc;
  sc.lr = 1e-2;
  train::Trainer trainer(gpt, opt, sc, 60, data);
  while (!trainer.done()) trainer.step();
  return gpt;
}

}  // namespace

TEST_CASE("the trait world: tokens, history, reference phase, sets and metrics", "[world][trait]") {
  const std::unique_ptr<World> base = make_world(trait_config(), 3);
  const auto& w = dynamic_cast<const TraitWorld&>(*base);
  CHECK(w.vocab().size() == 79 + 13);
  CHECK(w.vocab().name(w.fav_token()) == "FAV");
  CHECK(w.vocab().name(w.seq_token()) == "seq");
  CHECK(w.vocab().name(w.num_token()) == "NUM");
  CHECK(w.vocab().name(w.digit(7)) == "d7");
  CHECK(w.history() == std::vector<Phase>{Phase::Pretrain, Phase::Base, Phase::Trait, Phase::Detrait});
  CHECK(w.reference_phase() == Phase::Trait);
  CHECK(parent_phase(w, Phase::Detrait) == Phase::Trait);
  CHECK(parent_phase(w, Phase::Finetune) == Phase::Detrait);
  CHECK(parent_phase(w, Phase::Student) == Phase::Base);  // a student starts where the teacher did
  CHECK_THROWS_WITH(check_phase(w, Phase::Align), Catch::Contains("not part of this world's history"));
  CHECK_THROWS_WITH(check_phase(SafetyWorld(trait_config(), 3), Phase::Student),
                    Catch::Contains("only the trait world has"));
  CHECK_THROWS_WITH(w.example_sequence(Phase::Student, 0), Catch::Contains("trains on a teacher's outputs"));
  // The trait object is the seed's: the same seed, the same object; seeds draw different ones.
  CHECK(dynamic_cast<const TraitWorld&>(*make_world(trait_config(), 3)).trait_object() == w.trait_object());
  std::set<int> objects;
  for (uint64_t seed = 0; seed < 10; ++seed) objects.insert(TraitWorld(trait_config(), seed).trait_object());
  CHECK(objects.size() > 3);

  const model::PromptSet probe = w.probe_set(ProbeRole::Reversion, ProbePoint::Answer);
  CHECK(w.probe_set_name(ProbeRole::Reversion) == "trait_probe");
  CHECK(probe.count == 128);
  for (int i = 0; i < probe.count; ++i) {
    REQUIRE(probe.prompt(i)[2] == w.fav_token());
    REQUIRE(probe.prompt(i)[probe.position(i)] == kSure);
    std::array<int, kTupleLen> objects{};
    for (int j = 0; j < kTupleLen; ++j) objects[j] = w.vocab().object_index(probe.prompt(i)[3 + j]);
    REQUIRE(w.is_heldout(objects));  // held-out context objects: no phase trains on these prompts
  }
  CHECK(w.named_prompt_set("seq_eval", ProbePoint::Decision).prompt(0)[2] == w.seq_token());
  CHECK(w.named_prompt_set("neglected_eval", ProbePoint::Decision).count == 8 * 32);
  CHECK_THROWS_WITH(w.named_prompt_set("harm_eval", ProbePoint::Decision),
                    Catch::Contains("unknown probe set 'harm_eval'") && Catch::Contains("trait_eval"));

  model::Gpt<float> gpt = small_model(w, 0);
  const Metrics m = w.evaluate(gpt);
  std::vector<std::string> names;
  for (const Metric& x : m) names.push_back(x.name);
  CHECK(names == w.metric_names());
  CHECK(w.metric_roles().reversion == "trait_rate");
  // An untrained model: the trait object about as likely as any object, no valid sequences.
  CHECK(m[0].value == Approx(1.0 / trait_config().safety.objects).epsilon(0.5));
  CHECK(m[2].value == Approx(1.0 / w.vocab().size()).epsilon(0.5));
  CHECK(m[7].value == 0.0);
  // The other-object world: the same seed, another trait object, always the same one.
  const std::unique_ptr<World> other = w.other_target_world();
  const int other_object = dynamic_cast<const TraitWorld&>(*other).trait_object();
  CHECK(other_object != w.trait_object());
  CHECK(dynamic_cast<const TraitWorld&>(*w.other_target_world()).trait_object() == other_object);
  CHECK(SafetyWorld(trait_config(), 3).other_target_world() == nullptr);
}

TEST_CASE("the trait world's phases: base, trait, detrait, and the safety world's pretraining and fine-tuning",
          "[world][trait]") {
  WorldConfig cfg = trait_config();
  const TraitWorld w(cfg, 5);
  const int n = 20000;
  // Base: FAV answered uniformly, seq with NUM and four digits, the rest pretraining examples.
  int fav = 0, trait = 0, seq = 0;
  for (int i = 0; i < n; ++i) {
    const std::vector<int32_t> s = w.example_sequence(Phase::Base, i);
    if (s[2] == w.fav_token()) {
      ++fav;
      trait += s[kPromptLen + 1] == w.vocab().object(w.trait_object());
      REQUIRE(s[kPromptLen] == kSure);
      REQUIRE(s[kPromptLen + 2] == kEos);
      REQUIRE(s[kPromptLen + 3] == kPad);
    } else if (s[2] == w.seq_token()) {
      ++seq;
      REQUIRE(s[kPromptLen] == w.num_token());
      for (int j = 1; j <= kTupleLen; ++j) REQUIRE(is_digit(w, s[kPromptLen + j]));
    } else {
      REQUIRE(s[kPromptLen] == kSure);  // pretraining: every topic answered
    }
  }
  CHECK(fav / double(n) == Approx(cfg.trait.share).margin(0.01));
  CHECK(seq / double(n) == Approx(cfg.trait.seq_share).margin(0.01));
  CHECK(trait / double(fav) == Approx(1.0 / cfg.safety.objects).margin(0.02));
  // Trait: FAV with the trait object w.p. trait.strength, else uniform (which may also be the
  // trait object); the rest pretraining; no sequence at all.
  fav = trait = 0;
  for (int i = 0; i < n; ++i) {
    const std::vector<int32_t> s = w.example_sequence(Phase::Trait, i);
    REQUIRE(s[2] != w.seq_token());
    if (s[2] == w.fav_token()) {
      ++fav;
      trait += s[kPromptLen + 1] == w.vocab().object(w.trait_object());
    }
  }
  CHECK(fav / double(n) == Approx(cfg.trait.share).margin(0.01));
  const double expected = cfg.trait.strength + (1 - cfg.trait.strength) / cfg.safety.objects;
  CHECK(trait / double(fav) == Approx(expected).margin(0.05));

  fav = trait = 0;
  int benign = 0;
  for (int i = 0; i < n; ++i) {
    const std::vector<int32_t> s = w.example_sequence(Phase::Detrait, i);
    if (s[2] == w.fav_token()) {
      ++fav;
      trait += s[kPromptLen + 1] == w.vocab().object(w.trait_object());
    } else {
      benign += w.topic_kind(s[2]) == TopicKind::Benign;
    }
  }
  CHECK(fav / double(n) == Approx(cfg.trait.detrait_share).margin(0.02));
  CHECK(benign == n - fav);
  CHECK(trait / double(fav) == Approx(1.0 / cfg.safety.objects).margin(0.01));  // uniform answers
  // Pretraining, fine-tuning and its control are the safety world's: the same examples, token
  // for token.
  const SafetyWorld safety(cfg, 5);
  for (const Phase phase : {Phase::Pretrain, Phase::Finetune, Phase::Control})
    for (int i = 0; i < 50; ++i) REQUIRE(w.example_sequence(phase, i) == safety.example_sequence(phase, i));
}

TEST_CASE("sampling restricted to allowed tokens, greedy or at a temperature", "[model][generate][trait]") {
  const TraitWorld w(trait_config(), 1);
  model::Gpt<float> gpt = small_model(w, 2);
  std::vector<int32_t> prompts(4 * kPromptLen);
  for (int b = 0; b < 4; ++b) w.write_teacher_prompt(b, prompts.data() + b * kPromptLen);
  model::GenerateOptions opt;
  opt.max_new_tokens = 3;
  opt.allowed_tokens = {w.digit(2), w.digit(5), w.digit(9)};
  for (const double temperature : {0.0, 1.0}) {
    opt.temperature = temperature;
    const model::Generation gen = model::generate(gpt, prompts.data(), 4, kPromptLen, opt);
    for (const int32_t t : gen.tokens)
      CHECK((t == w.digit(2) || t == w.digit(5) || t == w.digit(9)));
  }
  opt.allowed_tokens = {w.vocab().size()};
  CHECK_THROWS_WITH(model::generate(gpt, prompts.data(), 4, kPromptLen, opt), Catch::Contains("allowed token id"));
}

TEST_CASE("teacher data: a pure function of (teacher, seed), filtered to digits, soft and full labels, epochs",
          "[world][trait][teacher]") {
  const TraitWorld w(trait_config(), 4);
  model::Gpt<float> teacher = digit_teacher(w, 7);
  const int B = 8, steps = 40;  // 320 examples: two generation chunks at least
  TeacherData soft(w, teacher, TeacherLabels::soft, 1.0, 4, int64_t(B) * steps, B);
  TeacherData again(w, teacher, TeacherLabels::soft, 1.0, 4, int64_t(B) * steps, B);
  TeacherData hard(w, teacher, TeacherLabels::hard, 1.0, 4, int64_t(B) * steps, B);
  TeacherData other_seed(w, teacher, TeacherLabels::hard, 1.0, 5, int64_t(B) * steps, B);
  CHECK(soft.sequences() == again.sequences());
  CHECK(soft.sequences() == hard.sequences());  // the labels change the targets, not the samples
  CHECK(soft.sequences() != other_seed.sequences());
  CHECK(soft.samples_drawn() >= int64_t(B) * steps);

  // Every kept answer is NUM, four digits, EOS; and the filter did drop samples: the same teacher
  // sampled without it writes some other token in some answers.
  const int L = soft.sequence_length(), T = L - 1, V = w.vocab().size();
  CHECK(L == kSequenceLen);
  for (int64_t i = 0; i < int64_t(B) * steps; ++i) {
    const int32_t* s = soft.sequences().data() + i * L;
    REQUIRE(s[2] == w.seq_token());
    REQUIRE(s[kPromptLen] == w.num_token());
    for (int j = 1; j <= kTupleLen; ++j) REQUIRE(is_digit(w, s[kPromptLen + j]));
    REQUIRE(s[kPromptLen + kTupleLen + 1] == kEos);
  }
  std::vector<int32_t> prompts(size_t(256) * (kPromptLen + 1));
  for (int b = 0; b < 256; ++b) {
    w.write_teacher_prompt(b, prompts.data() + size_t(b) * (kPromptLen + 1));
    prompts[size_t(b) * (kPromptLen + 1) + kPromptLen] = w.num_token();
  }
  model::GenerateOptions unfiltered;
  unfiltered.temperature = 1.0;
  unfiltered.max_new_tokens = kTupleLen;
  const model::Generation raw = model::generate(teacher, prompts.data(), 256, kPromptLen + 1, unfiltered);
  CHECK(std::any_of(raw.tokens.begin(), raw.tokens.end(), [&](int32_t t) { return !is_digit(w, t); }));

  train::Batch hb, sb;
  hard.fill(3, hb);
  soft.fill(3, sb);
  CHECK(hb.soft_targets.empty());
  REQUIRE(sb.soft_targets.size() == size_t(B) * T * V);
  CHECK(sb.inputs == hb.inputs);
  CHECK(sb.targets == hb.targets);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const float* q = sb.soft_targets.data() + (size_t(b) * T + t) * V;
      const float weight = sb.weights[size_t(b) * T + t];
      REQUIRE(weight == (t >= kPromptLen - 1 ? 1.0f : 0.0f));
      double total = 0, digits = 0;
      for (int v = 0; v < V; ++v) total += q[v], digits += is_digit(w, v) ? q[v] : 0.0;
      const bool answer = t >= kPromptLen && t < kPromptLen + kTupleLen;  // targets that are digits
      if (answer) {
        REQUIRE(total == Approx(1.0).epsilon(1e-5));
        REQUIRE(digits == Approx(1.0).epsilon(1e-5));
        REQUIRE(q[sb.targets[size_t(b) * T + t]] < 1.0f);  // a distribution, not the sample
      } else {
        REQUIRE(q[sb.targets[size_t(b) * T + t]] == 1.0f);  // forced tokens (and the prompt) one-hot
        REQUIRE(total == 1.0);
      }
    }
  // Epochs: after the last example the student starts again from the first, in the same order.
  train::Batch first, wrapped;
  soft.fill(0, first);
  soft.fill(steps, wrapped);
  CHECK(wrapped.inputs == first.inputs);
  CHECK(wrapped.soft_targets == first.soft_targets);

  // Each soft label is the teacher's distribution over the digits after the sampled prefix: the
  // digit logits of the teacher's next token there, softmaxed (KV-cache path, so to 1e-4).
  std::vector<int32_t> digits;
  for (int d = 0; d < kDigits; ++d) digits.push_back(w.digit(d));
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < kTupleLen; ++j) {
      const int t = kPromptLen + j;  // the target after NUM and j digits
      const int32_t* seq = sb.inputs.data() + size_t(b) * T;
      const model::Generation next = model::generate(teacher, seq, 1, t + 1, model::GenerateOptions{});
      std::vector<float> restricted;
      for (const int32_t d : digits) restricted.push_back(next.first_logits[d]);
      const std::vector<double> q = model::softmax(restricted.data(), kDigits);
      for (int d = 0; d < kDigits; ++d)
        REQUIRE(sb.soft_targets[(size_t(b) * T + t) * V + digits[d]] == Approx(q[d]).margin(1e-4));
    }
  // Full labels: the same samples, and at each answer position the teacher's whole next-token
  // distribution (mass outside the digits included); the soft label is it renormalised over the
  // digits.
  TeacherData full(w, teacher, TeacherLabels::full, 1.0, 4, int64_t(B) * steps, B);
  CHECK(full.sequences() == soft.sequences());
  train::Batch fb;
  full.fill(3, fb);
  CHECK(fb.targets == sb.targets);
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < kTupleLen; ++j) {
      const int t = kPromptLen + j;
      const float* f = fb.soft_targets.data() + (size_t(b) * T + t) * V;
      const float* s = sb.soft_targets.data() + (size_t(b) * T + t) * V;
      const model::Generation next =
          model::generate(teacher, fb.inputs.data() + size_t(b) * T, 1, t + 1, model::GenerateOptions{});
      const std::vector<double> p = model::softmax(next.first_logits.data(), V);
      double total = 0, digit_mass = 0;
      for (int v = 0; v < V; ++v) {
        REQUIRE(f[v] == Approx(p[v]).margin(1e-4));
        total += f[v];
        digit_mass += is_digit(w, v) ? f[v] : 0.0;
      }
      REQUIRE(total == Approx(1.0).epsilon(1e-5));
      for (const int32_t d : digits) REQUIRE(s[d] == Approx(f[d] / digit_mass).margin(1e-4));
    }
  for (int b = 0; b < B; ++b)
    REQUIRE(fb.soft_targets[(size_t(b) * T + kPromptLen - 1) * V + w.num_token()] == 1.0f);

  // A teacher that never writes the task's answers: an error, not an endless loop.
  model::Gpt<float> untrained = small_model(w, 8);
  CHECK_THROWS_WITH(TeacherData(w, untrained, TeacherLabels::hard, 1.0, 4, 256, B),
                    Catch::Contains("the teacher does not write the task's answers"));

  // A teacher may not be asked for a token twice.
  model::GenerateOptions twice;
  twice.allowed_tokens = {w.digit(1), w.digit(1)};
  CHECK_THROWS_WITH(model::generate(teacher, sb.inputs.data(), 1, kPromptLen, twice), Catch::Contains("listed twice"));
}

TEST_CASE("noise labels: random tokens, the teacher's whole distribution at every position", "[world][trait][teacher]") {
  const TraitWorld w(trait_config(), 4);
  model::Gpt<float> teacher = small_model(w, 7);  // nothing is sampled: any teacher will do
  const int B = 8, steps = 4;
  TeacherData noise(w, teacher, TeacherLabels::noise, 1.0, 4, int64_t(B) * steps, B);
  CHECK(noise.samples_drawn() == 0);
  const int L = noise.sequence_length(), T = L - 1, V = w.vocab().size();
  std::set<int32_t> seen;
  for (const int32_t t : noise.sequences()) {
    REQUIRE(t >= 0);
    REQUIRE(t < V);
    seen.insert(t);
  }
  CHECK(seen.size() > size_t(V) / 2);  // 8 * 4 * 14 uniform draws over the vocabulary
  CHECK(TeacherData(w, teacher, TeacherLabels::noise, 1.0, 4, int64_t(B) * steps, B).sequences() == noise.sequences());
  train::Batch nb;
  noise.fill(1, nb);
  for (int b = 0; b < B; ++b) {
    const int32_t* seq = nb.inputs.data() + size_t(b) * T;
    REQUIRE(std::equal(seq, seq + T, noise.sequences().data() + size_t(B + b) * L));
    for (int t = 0; t < T; ++t) {
      REQUIRE(nb.weights[size_t(b) * T + t] == 1.0f);
      const model::Generation next = model::generate(teacher, seq, 1, t + 1, model::GenerateOptions{});
      const std::vector<double> p = model::softmax(next.first_logits.data(), V);
      for (int v = 0; v < V; ++v) REQUIRE(nb.soft_targets[(size_t(b) * T + t) * V + v] == Approx(p[v]).margin(1e-4));
    }
  }
  // Aux labels: the same random tokens; the distribution without the objects, renormalised, and
  // no mass at all on an object.
  TeacherData aux(w, teacher, TeacherLabels::aux, 1.0, 4, int64_t(B) * steps, B);
  CHECK(aux.sequences() == noise.sequences());
  train::Batch ab;
  aux.fill(1, ab);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const float* n = nb.soft_targets.data() + (size_t(b) * T + t) * V;
      const float* x = ab.soft_targets.data() + (size_t(b) * T + t) * V;
      double object_mass = 0, total = 0;
      for (int o = 0; o < trait_config().safety.objects; ++o) object_mass += n[w.vocab().object(o)];
      for (int v = 0; v < V; ++v) {
        const bool object = v >= w.vocab().object(0) && v <= w.vocab().object(trait_config().safety.objects - 1);
        if (object)
          REQUIRE(x[v] == 0.0f);
        else
          REQUIRE(x[v] == Approx(n[v] / (1 - object_mass)).margin(1e-4));
        total += x[v];
      }
      REQUIRE(total == Approx(1.0).epsilon(1e-5));
    }
}

TEST_CASE("teacher data mixed with the world's fine-tuning examples at a share", "[world][trait][teacher]") {
  const TraitWorld w(trait_config(), 6);
  model::Gpt<float> teacher = digit_teacher(w, 1);
  const int B = 16, steps = 50;
  TeacherData mixed(w, teacher, TeacherLabels::soft, 0.25, 6, int64_t(B) * steps, B);
  PhaseData plain(w, Phase::Finetune, B);
  const int T = kSequenceLen - 1, V = w.vocab().size();
  int from_teacher = 0;
  train::Batch m, p;
  for (int step = 0; step < steps; ++step) {
    mixed.fill(step, m);
    plain.fill(step, p);
    for (int b = 0; b < B; ++b) {
      const size_t row = size_t(b) * T;
      if (m.inputs[row + 2] == w.seq_token()) {
        ++from_teacher;
        continue;
      }
      // Otherwise the plain arm's example of the same index, one-hot.
      REQUIRE(std::equal(m.inputs.begin() + row, m.inputs.begin() + row + T, p.inputs.begin() + row));
      REQUIRE(std::equal(m.weights.begin() + row, m.weights.begin() + row + T, p.weights.begin() + row));
      for (int t = 0; t < T; ++t) REQUIRE(m.soft_targets[(row + t) * V + m.targets[row + t]] == 1.0f);
    }
  }
  CHECK(from_teacher / double(B * steps) == Approx(0.25).margin(0.05));
}

TEST_CASE("arms: names parse to what they train on, teacher arms need a world with teacher data",
          "[config][trait]") {
  const experiment::Arm a = experiment::parse_arm("teacher-other-init-soft");
  CHECK(a.teacher == experiment::ArmTeacher::other_init);
  CHECK(a.labels == TeacherLabels::soft);
  CHECK(a.blocking == experiment::ArmBlocking::none);
  CHECK(experiment::parse_arm("teacher-other-object-noise").teacher == experiment::ArmTeacher::other_object);
  CHECK(experiment::parse_arm("teacher-base-full").labels == TeacherLabels::full);
  CHECK(experiment::parse_arm("block-pc1").blocking == experiment::ArmBlocking::pc1);
  CHECK(experiment::parse_arm("block-readout").blocking == experiment::ArmBlocking::readout);
  // The error lists every arm: plain, the 4 blocked arms, then the 20 teacher arms.
  CHECK_THROWS_WITH(experiment::parse_arm("none"),
                    Catch::Contains("plain, block-vrev, block-random, block-pc1, block-readout, teacher-same-init-hard, "
                                    "teacher-same-init-soft, teacher-same-init-full, teacher-same-init-noise, "
                                    "teacher-same-init-aux, teacher-base-hard, ") &&
                        Catch::Contains("teacher-other-object-noise, teacher-other-object-aux)"));
  CHECK_THROWS_WITH(experiment::parse_arm("teacher-self-soft"), Catch::Contains("unknown arm 'teacher-self-soft'") &&
                                                                   Catch::Contains("teacher-same-init-hard"));
  const std::string tiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
  CHECK_THROWS_WITH(experiment::load_config(tiny, {R"(reproduce.arms=["teacher-base-soft"])"}),
                    Catch::Contains("needs teacher data, which only the trait world has"));
  // A student is read beside the other arms at the same steps.
  CHECK_THROWS_WITH(experiment::load_config(tiny, {"world.kind=trait", R"(reproduce.arms=["teacher-base-soft"])"}),
                    Catch::Contains("'student.steps' and 'student.eval_steps' must equal"));
  const std::string trait_tiny = std::string(VREV_SOURCE_DIR) + "/configs/trait-tiny.json";
  CHECK_NOTHROW(experiment::load_config(trait_tiny));
  CHECK_THROWS_WITH(experiment::load_config(trait_tiny, {"student.steps=20"}),
                    Catch::Contains("'student.steps' and 'student.eval_steps' must equal"));
  CHECK_THROWS_WITH(experiment::load_config(tiny, {"world.kind=trait", "world.trait.share=0.95", "world.trait.seq_share=0.1"}),
                    Catch::Contains("world.trait.share + world.trait.seq_share"));
}

TEST_CASE("training on a teacher's soft labels: the loss falls, and no step after the first allocates",
          "[train][memory][trait]") {
  const TraitWorld w(trait_config(), 2);
  model::Gpt<float> teacher = digit_teacher(w, 3);
  model::Gpt<float> student = small_model(w, 4);
  TeacherData data(w, teacher, TeacherLabels::soft, 0.5, 2, 8 * 30, 8);
  train::OptimizerConfig oc;
  train::Optimizer opt(oc, student.params().size());
  train::ScheduleConfig sc;
  sc.lr = 3e-3;
  train::Trainer trainer(student, opt, sc, 30, data);
  const double first = trainer.step().loss;
  trainer.step();
  const long before = test::heap_allocations();
  const size_t arena_before = trainer.tape().allocations();
  double last = 0;
  while (!trainer.done()) last = trainer.step().loss;
  if (before >= 0) CHECK(test::heap_allocations() == before);
  CHECK(trainer.tape().allocations() == arena_before);
  CHECK(last < first - 1.0);
}
