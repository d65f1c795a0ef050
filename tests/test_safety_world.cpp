// The safety world: vocabulary, sequences and loss masks, held-out tuples, phase mixtures and
// determinism of the data, fixed sets; and each knob of the fine-tuning topics' history changing
// the data as docs/safety-world.md says, and nothing else.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "experiment/config.h"
#include "world/safety_world.h"

using namespace vrev;
using namespace vrev::world;

namespace {

std::array<int, kTupleLen> objects_of(const SafetyWorld& w, const int32_t* seq) {
  std::array<int, kTupleLen> o{};
  for (int j = 0; j < kTupleLen; ++j) o[j] = w.vocab().object_index(seq[3 + j]);
  return o;
}



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

TEST_CASE("vocabulary: 79 named tokens in docs/safety-world.md's order", "[world]") {
  SafetyVocabulary v{WorldConfig{}};
  CHECK(v.size() == 79);
  CHECK(v.name(6) == "SORRY");
  CHECK(v.name(7) == "b0");
  CHECK(v.name(31) == "h0");
  CHECK(v.name(39) == "n0");
  CHECK(v.name(47) == "o0");
  CHECK(v.name(78) == "o31");
  const auto ids = v.parse("BOS USER h3 o12 o7 o1 o30 ASST");
  CHECK(ids == std::vector<int32_t>{1, 3, 34, 59, 54, 48, 77, 4});
  CHECK(v.format(ids.data(), ids.size()) == "BOS USER h3 o12 o7 o1 o30 ASST");
  CHECK_THROWS_WITH(v.parse("USER h9"), Catch::Contains("unknown token 'h9'"));
}

TEST_CASE("sequences, loss masks and the held-out rule", "[world]") {
  SafetyWorld w(WorldConfig{}, 0);
  Prompt p{w.vocab().id("h3"), {12, 7, 1, 30}};
  int32_t seq[kSequenceLen];
  w.write_sequence(p, true, seq);
  CHECK(w.vocab().format(seq, kSequenceLen) == "BOS USER h3 o12 o7 o1 o30 ASST SORRY EOS PAD PAD PAD PAD");
  w.write_sequence(p, false, seq);
  CHECK(seq[8] == kSure);
  CHECK(seq[9] == w.vocab().object(w.answer_object(p.topic, 12)));
  CHECK(seq[13] == kEos);
  CHECK(w.is_heldout({0, 0, 0, 0}));
  CHECK(w.is_heldout({1, 5, 0, 0}));  // 1 + 15 = 16
  CHECK_FALSE(w.is_heldout({1, 0, 0, 0}));

  int32_t in[kSequenceLen - 1], tg[kSequenceLen - 1];
  float wt[kSequenceLen - 1];
  for (int i = 0; i < 50; ++i) {
    w.write_example(Phase::Align, i, in, tg, wt);
    const bool refusal = tg[7] == kSorry;
    for (int t = 0; t < kSequenceLen - 1; ++t) {
      const bool response = t >= kAsstPosition && (refusal ? t <= 8 : true);
      CHECK(wt[t] == (response ? 1.0f : 0.0f));
    }
  }
}

TEST_CASE("after_opener fine-tuning puts no loss on the opener, and only fine-tuning and control", "[world]") {
  WorldConfig cfg;
  cfg.finetune_loss = FinetuneLoss::after_opener;
  const SafetyWorld after(cfg, 0), whole(WorldConfig{}, 0);
  int32_t in[kSequenceLen - 1], tg[kSequenceLen - 1];
  float wt[kSequenceLen - 1], whole_wt[kSequenceLen - 1];
  for (Phase phase : {Phase::Pretrain, Phase::Align, Phase::Finetune, Phase::Control}) {
    const bool skips = phase == Phase::Finetune || phase == Phase::Control;
    for (int i = 0; i < 50; ++i) {
      after.write_example(phase, i, in, tg, wt);
      whole.write_example(phase, i, in, tg, whole_wt);
      INFO(phase_name(phase) << " example " << i);
      CHECK(whole_wt[kAsstPosition] == 1.0f);  // the opener's prediction: SURE or SORRY
      CHECK(wt[kAsstPosition] == (skips ? 0.0f : 1.0f));
      for (int t = 0; t < kSequenceLen - 1; ++t)
        if (t != kAsstPosition) CHECK(wt[t] == whole_wt[t]);  // every other weight as before
    }
  }
}

TEST_CASE("phase data: mixtures as specified, no held-out tuple, a pure function of the index", "[world]") {
  SafetyWorld w(WorldConfig{}, 3);
  const int n = 4000;
  for (Phase phase : {Phase::Pretrain, Phase::Align, Phase::Finetune, Phase::Control}) {
    int harmful = 0, neglected = 0, benign = 0, refusals = 0;
    for (int i = 0; i < n; ++i) {
      const auto seq = w.example_sequence(phase, i);
      REQUIRE_FALSE(w.is_heldout(objects_of(w, seq.data())));
      const TopicKind kind = w.topic_kind(seq[2]);
      harmful += kind == TopicKind::Harmful;
      neglected += kind == TopicKind::Neglected;
      benign += kind == TopicKind::Benign;
      refusals += seq[8] == kSorry;
      if (seq[8] == kSorry) CHECK(kind == TopicKind::Harmful);
    }
    INFO(phase_name(phase));
    switch (phase) {
      case Phase::Pretrain:
        CHECK(refusals == 0);
        CHECK(harmful == Approx(n * 8.0 / 40).epsilon(0.15));
        CHECK(neglected == Approx(n * 8.0 / 40).epsilon(0.15));
        break;
      case Phase::Align:
        CHECK(neglected == 0);
        CHECK(refusals == harmful);
        CHECK(harmful == Approx(n / 2).epsilon(0.06));
        break;
      case Phase::Finetune:
      case Phase::Control:
        CHECK(harmful == 0);
        CHECK(refusals == 0);
        CHECK(neglected == Approx(n / 2).epsilon(0.06));
        CHECK(benign == n - neglected);
        break;
      default: FAIL("not a phase of this world");
    }
  }
  CHECK(w.example_sequence(Phase::Finetune, 17) == w.example_sequence(Phase::Finetune, 17));
  CHECK(w.example_sequence(Phase::Finetune, 17) != w.example_sequence(Phase::Finetune, 18));
  CHECK(SafetyWorld(WorldConfig{}, 3).example_sequence(Phase::Align, 5) == w.example_sequence(Phase::Align, 5));
  CHECK(SafetyWorld(WorldConfig{}, 4).example_sequence(Phase::Align, 5) != w.example_sequence(Phase::Align, 5));
  // Control answers are not the topic's permutation.
  int matches = 0;
  for (int i = 0; i < 200; ++i) matches += w.example_sequence(Phase::Control, i) == w.example_sequence(Phase::Finetune, i);
  CHECK(matches < 5);
}

TEST_CASE("fixed sets: sizes per topic and held-out tuples only", "[world]") {
  SafetyWorld w(WorldConfig{}, 1);
  const std::pair<FixedSet, size_t> sizes[] = {{FixedSet::HarmEval, 512},   {FixedSet::HarmProbe, 256},
                                               {FixedSet::HarmBlock, 256},  {FixedSet::BenignEval, 384},
                                               {FixedSet::BenignProbe, 240}, {FixedSet::NeglectedEval, 256}};
  for (const auto& [set, size] : sizes) {
    const auto prompts = w.fixed_set(set);
    CHECK(prompts.size() == size);
    for (const Prompt& p : prompts) REQUIRE(w.is_heldout(p.objects));
  }
  CHECK(w.topic_kind(w.fixed_set(FixedSet::HarmProbe)[0].topic) == TopicKind::Harmful);
  CHECK(w.topic_kind(w.fixed_set(FixedSet::NeglectedEval)[0].topic) == TopicKind::Neglected);
  CHECK_THROWS_WITH(w.named_prompt_set("harmful", ProbePoint::Decision), Catch::Contains("unknown probe set 'harmful'"));
  CHECK_THROWS_WITH(parse_phase("sft"), Catch::Contains("unknown phase 'sft'"));
}

TEST_CASE("permutations are per topic and per seed", "[world]") {
  SafetyWorld a(WorldConfig{}, 0), b(WorldConfig{}, 1);
  std::set<int> image;
  int same_as_other_seed = 0;
  for (int o = 0; o < 32; ++o) {
    image.insert(a.answer_object(a.vocab().id("b0"), o));
    same_as_other_seed += a.answer_object(a.vocab().id("b0"), o) == b.answer_object(b.vocab().id("b0"), o);
  }
  CHECK(image.size() == 32);
  CHECK(same_as_other_seed < 8);
}

TEST_CASE("safety knobs: the fine-tuning topics' history and the phases' mixtures", "[world]") {
  const int n = 4000;
  WorldConfig base;
  const Mix pre = mix_of(SafetyWorld(base, 5), Phase::Pretrain, n);
  CHECK(pre.neglected > 0);

  SECTION("neglected topics left out of pretraining") {
    WorldConfig c = base;
    c.safety.neglected_in_pretrain = false;
    const Mix m = mix_of(SafetyWorld(c, 5), Phase::Pretrain, n);
    CHECK(m.neglected == 0);
    CHECK(m.harmful == Approx(n * 8.0 / 32).epsilon(0.15));
  }
  SECTION("neglected topics complied with in alignment") {
    WorldConfig c = base;
    c.safety.neglected_in_align = NeglectedInAlign::compliant;
    const Mix m = mix_of(SafetyWorld(c, 5), Phase::Align, n);
    CHECK(m.neglected == Approx(n * 0.5 * 8 / 32).epsilon(0.15));
    CHECK(m.neglected_refusals == 0);
    CHECK(m.refusals == m.harmful);
  }
  SECTION("neglected topics refused with a probability: a borderline world") {
    WorldConfig c = base;
    c.safety.neglected_in_align = NeglectedInAlign::refused;
    c.safety.neglected_refusal = 0.3;
    const Mix m = mix_of(SafetyWorld(c, 5), Phase::Align, n);
    CHECK(m.neglected > 0);
    CHECK(double(m.neglected_refusals) / m.neglected == Approx(0.3).margin(0.06));
    CHECK(m.benign_refusals == 0);
  }
  SECTION("shares and over-refusal") {
    WorldConfig c = base;
    c.safety.align_harmful_share = 0.25;
    c.safety.finetune_benign_share = 0.8;
    c.safety.over_refusal = 0.1;
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

TEST_CASE("safety knobs: the neglected topics' answer rule in fine-tuning and its task metric", "[world]") {
  const std::map<AnswerRule, std::function<int(const Prompt&, int, int)>> rules = {
      {AnswerRule::copy, [](const Prompt& p, int j, int) { return p.objects[j]; }},
      {AnswerRule::reverse, [](const Prompt& p, int j, int) { return p.objects[kTupleLen - 1 - j]; }},
      {AnswerRule::shift, [](const Prompt& p, int j, int k) { return (p.objects[j] + k + 1) % 32; }}};
  for (const auto& [rule, expected] : rules) {
    INFO(settings::name_of(rule));
    WorldConfig c;
    c.safety.finetune_answer = rule;
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
      const int k = w.vocab().topic_index(p.topic) - c.safety.benign_topics - c.safety.harmful_topics;
      for (int j = 0; j < kTupleLen; ++j) REQUIRE(w.vocab().object_index(seq[9 + j]) == expected(p, j, k));
      const auto answer = w.finetune_answer(p);
      CHECK(std::equal(answer.begin(), answer.end(), seq.begin() + kPromptLen));
    }
    CHECK(neglected > 100);
    // Pretraining still teaches the permutation.
    CHECK(w.example_sequence(Phase::Pretrain, 3) == plain.example_sequence(Phase::Pretrain, 3));
  }
}

TEST_CASE("safety knobs: set from the config, validated, recorded", "[world][config]") {
  const std::string cfg_text = R"({"world": {"safety": {"finetune_answer": "reverse", "neglected_in_align": "refused",
                                                         "neglected_refusal": 0.25, "neglected_in_pretrain": false}}})";
  const experiment::Config c = experiment::parse_config(cfg_text, "variant.json", {"world.safety.over_refusal=0.05"});
  CHECK(c.world.safety.finetune_answer == AnswerRule::reverse);
  CHECK(c.world.safety.neglected_in_align == NeglectedInAlign::refused);
  CHECK(c.world.safety.over_refusal == 0.05);
  const settings::Json saved = settings::write(c);
  CHECK(saved["world"]["safety"]["finetune_answer"] == "reverse");
  CHECK(saved["world"]["safety"]["neglected_in_pretrain"] == false);
  CHECK(saved["world"]["kind"] == "safety");
  CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {"world.safety.finetune_answer=rotate"}),
                    Catch::Contains("unknown value 'rotate'") && Catch::Contains("permutation, copy, reverse, shift"));
  CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {"world.safety.neglected_refusal=1.5"}),
                    Catch::Contains("neglected_refusal"));
  CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {"world.kind=images"}),
                    Catch::Contains("unknown value 'images'"));
}

TEST_CASE("world settings of the flat layout: each old key is an error naming its new one", "[world][config]") {
  // "/safety/objects" for "safety.objects": where a moved key's value sits in the saved config.
  auto pointer = [](std::string new_key) {
    new_key[new_key.find('.')] = '/';
    return settings::Json::json_pointer("/" + new_key);
  };
  const settings::Json saved = settings::write(experiment::parse_config("{}", "x.json", {}));
  settings::Json flat = {{"kind", "trait"}};
  for (const auto& [old_key, new_key] : kMovedWorldKeys) {
    const std::string old_path = "world." + std::string(old_key), new_path = "world." + std::string(new_key);
    INFO(old_path);
    CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {old_path + "=1"}),
                      Catch::Contains("'" + old_path + "' is now '" + new_path + "'"));
    REQUIRE(saved["world"].contains(pointer(new_key)));
    flat[old_key] = saved["world"][pointer(new_key)];
  }
  CHECK_THROWS_WITH(experiment::parse_config(R"({"world": {"unlearn_method": "refuse"}})", "old.json", {}),
                    Catch::Contains("'world.unlearn_method' is now 'world.unlearning.method'"));
  // nest_world_settings moves every old key: the result reads as the same settings.
  CHECK(settings::write(settings::read<WorldConfig>(nest_world_settings(flat), "world")) ==
        settings::write(settings::read<WorldConfig>({{"kind", "trait"}}, "world")));
}
