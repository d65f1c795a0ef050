// The world interface and its registries: what every world provides (history, prompt sets with
// their probe position, metric names and roles), and every list of phases and worlds derived from
// phase_table() and world_table().
#include <catch2/catch.hpp>

#include "core/settings.h"
#include "experiment/config.h"
#include "experiment/main_track.h"
#include "model/gpt.h"
#include "world/safety_world.h"

using namespace vrev;
using namespace vrev::world;

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

TEST_CASE("the registries: every list of phases and worlds follows phase_table() and world_table()", "[world][config]") {
  // The parser knows every row, and its error lists them in the table's order.
  std::string names;
  for (const PhaseInfo& p : phase_table()) {
    CHECK(parse_phase(p.name) == p.phase);
    CHECK(std::string(phase_name(p.phase)) == p.name);
    CHECK(std::string(phase_outcome_name(p.phase)) == p.outcome);
    names += (names.empty() ? "" : ", ") + std::string(p.name);
  }
  CHECK_THROWS_WITH(parse_phase("bogus"), Catch::Contains("(valid: " + names + ")"));

  // The config has a section for each row that has one, in the table's order; control reads
  // finetune's.
  const experiment::Config cfg;
  const settings::Json written = settings::write(cfg);
  std::vector<std::string> sections, expected;
  for (auto it = written.begin(); it != written.end(); ++it)
    if (std::any_of(phase_table().begin(), phase_table().end(), [&](const PhaseInfo& p) { return it.key() == p.name; }))
      sections.push_back(it.key());
  for (const PhaseInfo& p : phase_table())
    if (p.section_help) expected.push_back(p.name);
  CHECK(sections == expected);
  CHECK(&cfg.phase(Phase::Control) == &cfg.phase(Phase::Finetune));

  // Each world is its row: kind, history and reference phase; the help texts list the rows.
  for (const WorldInfo& row : world_table()) {
    if (row.kind == WorldKind::image) continue;  // needs its glyph files (tests/test_image_world.cpp)
    WorldConfig c;
    c.kind = row.kind;
    const std::unique_ptr<World> w = make_world(c, 0);
    CHECK(w->kind() == row.kind);
    CHECK(w->history() == row.history);
    CHECK(w->reference_phase() == row.reference);
    std::string history;
    for (const Phase p : row.history) history += (history.empty() ? "" : ", ") + std::string(phase_name(p));
    CHECK_THAT(world_histories(), Catch::Contains(std::string(settings::name_of(row.kind)) + ": " + history));
    for (const Phase p : row.history) CHECK_THAT(history_phase_names(), Catch::Contains(phase_name(p)));
  }
  CHECK(history_phase_names() == "pretrain, align, unlearn, base, trait, detrait");
}

TEST_CASE("each world reads its own settings sections: another world's setting is an error, not ignored", "[world][config]") {
  CHECK(unread_sections(WorldKind::safety) == std::vector<std::string>{"unlearning", "trait", "image"});
  CHECK(unread_sections(WorldKind::unlearning) == std::vector<std::string>{"trait", "image"});
  CHECK(unread_sections(WorldKind::trait) == std::vector<std::string>{"unlearning", "image"});
  CHECK(unread_sections(WorldKind::image) == std::vector<std::string>{"safety", "unlearning", "trait"});
  CHECK_THROWS_WITH(experiment::parse_config("{}", "x.json", {"world.trait.share=0.2"}),
                    Catch::Contains("'world.trait.share' is set, but the safety world does not read world.trait"));
  CHECK_NOTHROW(experiment::parse_config("{}", "x.json", {"world.kind=trait", "world.trait.share=0.2"}));
  // The main track's comparison leaves out the sections its world does not read.
  CHECK(experiment::main_track_differences(experiment::main_track_config()).empty());
}
