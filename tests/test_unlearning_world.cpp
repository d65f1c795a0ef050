// The unlearning world: the safety world with forget topics, its unlearn phase's data, its sets
// and metrics.
#include <catch2/catch.hpp>

#include "world/safety_world.h"
#include "world/unlearning_world.h"

using namespace vrev;
using namespace vrev::world;

TEST_CASE("the unlearning world: forget topics, the unlearn phase's data, its sets and metrics", "[world]") {
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

  c.unlearning.method = UnlearnMethod::refuse;
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
  c.unlearning.method = UnlearnMethod::grad_diff;
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
