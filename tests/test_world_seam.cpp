// The world seam and the safety world's knobs: what every world provides (history, prompt sets
// with their probe position, metric names and roles), and each knob of the fine-tuning topics'
// history changing the data as docs/safety-world.md says, and nothing else.
#include <catch2/catch.hpp>
#include <map>

#include "experiment/config.h"
#include "model/gpt.h"
#include "world/safety_world.h"
#include "world/unlearning_world.h"

using namespace vrev;
using namespace vrev::world;

namespace {

// Topic kind and refusal counts over n examples of a phase.
struct Mix {
  int benign = 0, harmful = 0, neglected = 0, refusals = 0, neglected_refusals = 0, benign_refusals = 0;
};
Mix mix_of(const SafetyWorld& w, Phase phase, int n) {
  Mix m;
  for (int i = 0; i < n; ++i) {
    const std::vector<int32_t> seq = w.example_sequence(phase, i);
    const TopicKind kind = w.topic_kind(seq[2]);
    const bool refused = seq[8] == kSorry;
    m.benign += kind == TopicKind::Benign;
    m.harmful += kind == TopicKind::Harmful;
    m.neglected += kind == TopicKind::Neglected;
    m.refusals += refused;
    m.neglected_refusals += refused && kind == TopicKind::Neglected;
    m.benign_refusals += refused && kind == TopicKind::Benign;
  }
  return m;
}

}  // namespace

TEST_CASE("the seam: the config's world, its history, prompt sets and metric roles", "[world][seam]") {
  const std::unique_ptr<World> w = make_world(WorldConfig{}, 2);
  CHECK(w->vocab().size() == 79);
  CHECK(w->sequence_length() == kSequenceLen);
  CHECK(w->history() == std::vector<Phase>{Phase::Pretrain, Phase::Align});
  CHECK_FALSE(parent_phase(*w, Phase::Pretrain).has_value());
  CHECK(parent_phase(*w, Phase::Align) == Phase::Pretrain);
  CHECK(parent_phase(*w, Phase::Control) == Phase::Align);

  const model::PromptSet harm = w->probe_set(ProbeRole::Reversion, ProbePoint::Decision);
  CHECK(w->probe_set_name(ProbeRole::Reversion) == "harm_probe");
  CHECK(harm.count == 8 * 32);
  CHECK(harm.length == kPromptLen);
  CHECK(harm.tokens.size() == size_t(harm.count) * harm.length);
  for (int i = 0; i < harm.count; ++i) REQUIRE(harm.prompt(i)[harm.position(i)] == kAsst);
  CHECK(w->probe_set(ProbeRole::Block, ProbePoint::Decision).tokens != harm.tokens);
  CHECK(w->named_prompt_set("neglected_eval", ProbePoint::Decision).count == 8 * 32);
  CHECK_THROWS_WITH(w->named_prompt_set("forget_eval", ProbePoint::Decision), Catch::Contains("unknown probe set 'forget_eval'"));

  // evaluate() returns exactly metric_names(), and the roles name metrics it returns.
  model::ModelConfig mc;
  mc.vocab_size = w->vocab().size();
  mc.context = 16, mc.layers = 1, mc.width = 32, mc.heads = 2;
  model::Gpt<float> gpt(mc);
  gpt.init(0);
  const Metrics m = w->evaluate(gpt);
  std::vector<std::string> names;
  for (const Metric& x : m) names.push_back(x.name);
  CHECK(names == w->metric_names());
  const MetricRoles roles = w->metric_roles();
  std::vector<std::string> roled = {roles.reversion};
  roled.insert(roled.end(), roles.companions.begin(), roles.companions.end());
  roled.insert(roled.end(), roles.task.begin(), roles.task.end());
  for (const std::string& r : roled) CHECK(std::find(names.begin(), names.end(), r) != names.end());
  CHECK(to_json(m).size() == m.size());
}

TEST_CASE("safety knobs: the fine-tuning topics' history and the phases' mixtures", "[world][seam]") {
  const int n = 4000;
  WorldConfig base;
  const Mix pre = mix_of(SafetyWorld(base, 5), Phase::Pretrain, n);
  CHECK(pre.neglected > 0);

  SECTION("neglected topics left out of pretraining") {
    WorldConfig c = base;
    c.neglected_in_pretrain = false;
    const Mix m = mix_of(SafetyWorld(c, 5), Phase::Pretrain, n);
    CHECK(m.neglected == 0);
    CHECK(m.harmful == Approx(n * 8.0 / 32).epsilon(0.15));
  }
  SECTION("neglected topics complied with in alignment") {
    WorldConfig c = base;
    c.neglected_in_align = NeglectedInAlign::compliant;
    const Mix m = mix_of(SafetyWorld(c, 5), Phase::Align, n);
    CHECK(m.neglected == Approx(n * 0.5 * 8 / 32).epsilon(0.15));
    CHECK(m.neglected_refusals == 0);
    CHECK(m.refusals == m.harmful);
  }
  SECTION("neglected topics refused with a probability: a borderline world") {
    WorldConfig c = base;
    c.neglected_in_align = NeglectedInAlign::refused;
    c.neglected_refusal = 0.3;
    const Mix m = mix_of(SafetyWorld(c, 5), Phase::Align, n);
    CHECK(m.neglected > 0);
    CHECK(double(m.neglected_refusals) / m.neglected == Approx(0.3).margin(0.06));
    CHECK(m.benign_refusals == 0);
  }
  SECTION("shares and over-refusal") {
    WorldConfig c = base;
    c.align_harmful_share = 0.25;
    c.finetune_benign_share = 0.8;
    c.over_refusal = 0.1;
    const SafetyWorld w(c, 5);
    const Mix al = mix_of(w, Phase::Align, n), ft = mix_of(w, Phase::Finetune, n);
    CHECK(al.harmful == Approx(n * 0.25).epsilon(0.1));
    CHECK(double(al.benign_refusals) / al.benign == Approx(0.1).margin(0.03));
    CHECK(ft.benign == Approx(n * 0.8).epsilon(0.05));
    CHECK(ft.refusals == 0);
  }
  SECTION("the defaults draw exactly the data of the default world") {
    const SafetyWorld a(base, 5), b(WorldConfig{}, 5);
    for (int i = 0; i < 100; ++i)
      for (Phase p : {Phase::Pretrain, Phase::Align, Phase::Finetune, Phase::Control})
        REQUIRE(a.example_sequence(p, i) == b.example_sequence(p, i));
  }
}

TEST_CASE("safety knobs: the neglected topics' answer rule in fine-tuning and its task metric", "[world][seam]") {
  const std::map<AnswerRule, std::function<int(const Prompt&, int, int)>> rules = {
      {AnswerRule::copy, [](const Prompt& p, int j, int) { return p.objects[j]; }},
      {AnswerRule::reverse, [](const Prompt& p, int j, int) { return p.objects[kTupleLen - 1 - j]; }},
      {AnswerRule::shift, [](const Prompt& p, int j, int k) { return (p.objects[j] + k + 1) % 32; }}};
  for (const auto& [rule, expected] : rules) {
    INFO(settings::name_of(rule));
    WorldConfig c;
    c.finetune_answer = rule;
    const SafetyWorld w(c, 9), plain(WorldConfig{}, 9);
    int neglected = 0;
    for (int i = 0; i < 300; ++i) {
      const std::vector<int32_t> seq = w.example_sequence(Phase::Finetune, i);
      const std::vector<int32_t> plain_seq = plain.example_sequence(Phase::Finetune, i);
      REQUIRE(std::equal(seq.begin(), seq.begin() + kPromptLen, plain_seq.begin()));  // the same prompts
      Prompt p;
      p.topic = seq[2];
      for (int j = 0; j < kTupleLen; ++j) p.objects[j] = w.vocab().object_index(seq[3 + j]);
      if (w.topic_kind(p.topic) != TopicKind::Neglected) {
        CHECK(seq == plain_seq);  // benign topics keep their permutation
        continue;
      }
      ++neglected;
      const int k = w.vocab().topic_index(p.topic) - c.benign_topics - c.harmful_topics;
      for (int j = 0; j < kTupleLen; ++j) REQUIRE(w.vocab().object_index(seq[9 + j]) == expected(p, j, k));
      const auto answer = w.finetune_answer(p);
      CHECK(std::equal(answer.begin(), answer.end(), seq.begin() + kPromptLen));
    }
    CHECK(neglected > 100);
    // Pretraining still teaches the permutation.
    CHECK(w.example_sequence(Phase::Pretrain, 3) == plain.example_sequence(Phase::Pretrain, 3));
  }
}

TEST_CASE("safety knobs: set from the config, validated, recorded", "[world][seam][config]") {
  const std::string cfg_text = R"({"world": {"finetune_answer": "reverse", "neglected_in_align": "refused",
                                              "neglected_refusal": 0.25, "neglected_in_pretrain": false}})";
  const experiment::Config c = experiment::parse_config(cfg_text, "variant.json", {"world.over_refusal=0.05"});
  CHECK(c.world.finetune_answer == AnswerRule::reverse);
  CHECK(c.world.neglected_in_align == NeglectedInAlign::refused);
  CHECK(c.world.over_refusal == 0.05);
  const settings::Json saved = settings::write(c);
  CHECK(saved["world"]["finetune_answer"] == "reverse");
  CHECK(saved["world"]["neglected_in_pretrain"] == false);
  CHECK(saved["world"]["kind"] == "safety");
  CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {"world.finetune_answer=rotate"}),
                    Catch::Contains("unknown value 'rotate'") && Catch::Contains("permutation, copy, reverse, shift"));
  CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {"world.neglected_refusal=1.5"}),
                    Catch::Contains("neglected_refusal"));
  CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {"world.kind=images"}),
                    Catch::Contains("unknown value 'images'"));
}

TEST_CASE("the unlearning world: forget topics, the unlearn phase's data, its sets and metrics", "[world][seam]") {
  WorldConfig c;
  c.kind = WorldKind::unlearning;
  const std::unique_ptr<World> w = make_world(c, 4);
  const auto& u = dynamic_cast<const UnlearningWorld&>(*w);
  CHECK(w->vocab().name(31) == "f0");
  CHECK_THROWS_WITH(w->vocab().id("h0"), Catch::Contains("f0-f7"));
  CHECK(w->history() == std::vector<Phase>{Phase::Pretrain, Phase::Unlearn});
  CHECK(w->probe_set_name(ProbeRole::Reversion) == "forget_probe");
  CHECK(w->named_prompt_set("forget_eval", ProbePoint::Decision).count == 8 * 64);
  CHECK_THROWS_WITH(w->named_prompt_set("harm_eval", ProbePoint::Decision), Catch::Contains("forget_eval"));
  CHECK_THROWS_WITH(check_phase(*w, Phase::Align),
                    Catch::Contains("phase align is not part") && Catch::Contains("pretrain, unlearn, finetune"));
  CHECK_NOTHROW(check_phase(*w, Phase::Control));
  CHECK(w->metric_roles().reversion == "forget_object_accuracy");

  // Pretraining and fine-tuning are the safety world's, token for token.
  const SafetyWorld safety(WorldConfig{}, 4);
  for (int i = 0; i < 50; ++i)
    for (Phase p : {Phase::Pretrain, Phase::Finetune, Phase::Control})
      REQUIRE(u.example_sequence(p, i) == safety.example_sequence(p, i));

  // Unlearning: half forget prompts relabelled with random objects, half retained benign ones.
  int forget = 0, kept_permutation = 0, objects = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    const std::vector<int32_t> seq = u.example_sequence(Phase::Unlearn, i);
    const TopicKind kind = u.topic_kind(seq[2]);
    REQUIRE(kind != TopicKind::Neglected);
    REQUIRE(seq[8] == kSure);
    if (kind == TopicKind::Benign) {
      Prompt p{seq[2], {}};
      for (int j = 0; j < kTupleLen; ++j) p.objects[j] = u.vocab().object_index(seq[3 + j]);
      const auto answer = u.compliant_answer(p);
      REQUIRE(std::equal(answer.begin(), answer.end(), seq.begin() + kPromptLen));
      continue;
    }
    ++forget;
    for (int j = 0; j < kTupleLen; ++j, ++objects)
      kept_permutation += u.vocab().object_index(seq[9 + j]) ==
                          u.answer_object(seq[2], u.vocab().object_index(seq[3 + j]));
  }
  CHECK(forget == Approx(n / 2).epsilon(0.08));
  CHECK(double(kept_permutation) / objects < 2.0 / 32);  // chance is 1/32

  c.unlearn_method = UnlearnMethod::refuse;
  const UnlearningWorld refusing(c, 4);
  int refusals = 0;
  for (int i = 0; i < 400; ++i) {
    const std::vector<int32_t> seq = refusing.example_sequence(Phase::Unlearn, i);
    const bool refused = seq[8] == kSorry;
    REQUIRE(refused == (refusing.topic_kind(seq[2]) == TopicKind::Harmful));
    refusals += refused;
  }
  CHECK(refusals > 150);

  // grad-diff: forget prompts keep their pretrained answers, whose objects' loss is ascended.
  c.unlearn_method = UnlearnMethod::grad_diff;
  const UnlearningWorld ascending(c, 4);
  int ascended = 0;
  std::vector<int32_t> in(kSequenceLen - 1), tg(kSequenceLen - 1);
  std::vector<float> wt(kSequenceLen - 1);
  for (int i = 0; i < 200; ++i) {
    ascending.write_example(Phase::Unlearn, i, in.data(), tg.data(), wt.data());
    if (ascending.topic_kind(in[2]) == TopicKind::Benign) {
      REQUIRE(*std::min_element(wt.begin(), wt.end()) == 0.0f);
      continue;
    }
    ++ascended;
    for (int t = 0; t < kSequenceLen - 1; ++t) REQUIRE(wt[t] == (t >= 8 && t <= 11 ? -1.0f : 0.0f));
    Prompt p{in[2], {}};
    for (int j = 0; j < kTupleLen; ++j) p.objects[j] = ascending.vocab().object_index(in[3 + j]);
    const auto answer = ascending.compliant_answer(p);
    REQUIRE(std::equal(answer.begin(), answer.end() - 1, tg.begin() + kAsstPosition));
  }
  CHECK(ascended > 70);

  // The answer point: the prompt followed by SURE, read at SURE.
  const model::PromptSet answer = w->probe_set(ProbeRole::Reversion, ProbePoint::Answer);
  CHECK(answer.length == kPromptLen + 1);
  for (int i = 0; i < answer.count; ++i) {
    REQUIRE(answer.position(i) == kPromptLen);
    REQUIRE(answer.prompt(i)[answer.position(i)] == kSure);
  }
  CHECK_THROWS_WITH(SafetyWorld(WorldConfig{}, 0).example_sequence(Phase::Unlearn, 0),
                    Catch::Contains("no unlearn phase"));
}
