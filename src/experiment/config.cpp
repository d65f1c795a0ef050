// Loading and checking experiment configs.
#include "experiment/config.h"

#include "core/io.h"
#include "world/safety_world.h"
#include "world/vocabulary.h"

namespace vrev::experiment {

void Config::finalize() {
  if (model.vocab_size == 0) model.vocab_size = world::Vocabulary(world).size();
  model.validate();
  probe.validate();
  blocking.validate();
  for (const std::string& arm : reproduce.arms)
    VREV_CHECK(arm == "plain" || arm == "block-vrev" || arm == "block-random" || arm == "block-pc1",
               "config: unknown arm '", arm, "' in 'reproduce.arms' (valid: plain, block-vrev, block-random, block-pc1)");
  for (const PhaseConfig* p : {&pretrain, &align, &finetune}) {
    p->schedule.validate();
    p->optimizer.validate();
  }
}

const PhaseConfig& Config::phase(const std::string& name) const {
  switch (world::parse_phase(name)) {
    case world::Phase::Pretrain: return pretrain;
    case world::Phase::Align: return align;
    case world::Phase::Finetune:
    case world::Phase::Control: return finetune;
  }
  return finetune;
}

void Config::check_world_fits() const {
  const int V = world::Vocabulary(world).size();
  VREV_CHECK(model.vocab_size == V, "config: 'model.vocab_size' is ", model.vocab_size,
             " but the world's vocabulary has ", V, " tokens (leave it out to derive it)");
  VREV_CHECK(model.context >= world::kSequenceLen - 1, "config: 'model.context' is ", model.context,
             " but the world's sequences need ", world::kSequenceLen - 1);
}

namespace {

// The parsed file with the overrides applied, read and checked; `path` names the file in errors.
Config resolve(settings::Json json, const std::string& path, const std::vector<std::string>& overrides) {
  VREV_CHECK(json.is_object(), path, ": a config must be a JSON object");
  for (const std::string& o : overrides) settings::apply_override(json, o);
  try {
    Config cfg = settings::read<Config>(json);
    cfg.finalize();
    return cfg;
  } catch (const Error& e) {
    VREV_FAIL(path, ": ", e.what());
  }
}

}  // namespace

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  return resolve(settings::parse_file(path), path, overrides);
}

Config parse_config(const std::string& text, const std::string& source, const std::vector<std::string>& overrides) {
  return resolve(settings::parse_text(text, source), source, overrides);
}

std::string json_hash(const settings::Json& json) {
  const std::string text = json.dump();
  return io::sha256_hex(text.data(), text.size());
}

}  // namespace vrev::experiment
