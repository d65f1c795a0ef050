// Writing and reading checkpoint directories.
#include "train/checkpoint.h"

#include <filesystem>

#include "core/io.h"
#include "core/settings.h"
#include "model/model_file.h"
#include "vrev/version.h"

namespace vrev::train {

namespace fs = std::filesystem;

std::string model_file_path(const std::string& ckpt) {
  return fs::is_directory(ckpt) ? (fs::path(ckpt) / kModelFile).string() : ckpt;
}

bool checkpoint_exists(const std::string& dir) { return fs::exists(fs::path(dir) / kStateFile); }

void save_checkpoint(const std::string& dir, const model::Gpt<float>& model, const Optimizer* optimizer,
                     const CheckpointState& state) {
  fs::create_directories(dir);
  // Until the new state.json is in place the directory is no checkpoint: a save cut short (a kill
  // between two files) must not leave state.json naming a step the tensor files no longer hold.
  fs::remove(fs::path(dir) / kStateFile);
  model::Metadata meta{{"phase", state.phase},
                       {"step", std::to_string(state.step)},
                       {"seed", std::to_string(state.seed)},
                       {"parent_sha256", state.parent_sha256},
                       {"vrev_version", kVersion}};
  model::save_model((fs::path(dir) / kModelFile).string(), model, meta);
  if (optimizer) {
    const auto n = static_cast<int64_t>(model.params().size());
    const Optimizer& opt = *optimizer;
    std::vector<std::pair<std::string, io::Array>> tensors;
    tensors.emplace_back("m", io::Array::from_f32(opt.first_moment().data(), {n}));
    if (!opt.second_moment().empty()) tensors.emplace_back("v", io::Array::from_f32(opt.second_moment().data(), {n}));
    io::write_safetensors((fs::path(dir) / kOptimFile).string(), tensors,
                          {{"optimizer", settings::name_of(opt.config().name)}, {"step", std::to_string(opt.steps_taken())}});
  }
  settings::Json json = {{"phase", state.phase},           {"step", state.step},
                         {"total_steps", state.total_steps}, {"seed", state.seed},
                         {"parent_sha256", state.parent_sha256}, {"config_hash", state.config_hash},
                         {"data_cursor", state.step},      {"schedule_step", state.step},
                         {"extra", state.extra}};
  io::write_text_atomic((fs::path(dir) / kStateFile).string(), json.dump(2) + "\n");
}

CheckpointState read_checkpoint_state(const std::string& dir) {
  const std::string path = (fs::path(dir) / kStateFile).string();
  VREV_CHECK(fs::exists(path), dir, ": not a checkpoint directory (no ", kStateFile, ")");
  settings::Json json = settings::Json::parse(io::read_text(path), nullptr, false);
  VREV_CHECK(json.is_object(), path, ": not valid JSON");
  CheckpointState s;
  try {
    s.phase = json.at("phase").get<std::string>();
    s.step = json.at("step").get<int64_t>();
    s.total_steps = json.at("total_steps").get<int64_t>();
    s.seed = json.at("seed").get<uint64_t>();
    s.parent_sha256 = json.at("parent_sha256").get<std::string>();
    s.config_hash = json.at("config_hash").get<std::string>();
    s.extra = json.value("extra", settings::Json::object());
  } catch (const nlohmann::json::exception& e) {
    VREV_FAIL(path, ": missing or malformed field (", e.what(), ")");
  }
  return s;
}

CheckpointState load_checkpoint(const std::string& dir, model::Gpt<float>& model, Optimizer* optimizer) {
  CheckpointState state = read_checkpoint_state(dir);
  model::load_model_into((fs::path(dir) / kModelFile).string(), model);
  if (optimizer) {
    const std::string path = (fs::path(dir) / kOptimFile).string();
    io::SafetensorsFile file = io::read_safetensors(path);
    const auto n = static_cast<int64_t>(model.params().size());
    auto load = [&](const char* name, std::vector<float>& into) {
      auto it = file.tensors.find(name);
      VREV_CHECK(it != file.tensors.end(), path, ": missing tensor '", name, "'");
      VREV_CHECK(it->second.shape == std::vector<int64_t>{n}, path, ": tensor '", name, "' has ",
                 it->second.numel(), " elements, the model has ", n, " parameters");
      into = it->second.to_f32(path + ": " + name);
    };
    const std::string wanted = settings::name_of(optimizer->config().name);
    VREV_CHECK(file.metadata["optimizer"] == wanted, path, ": optimizer is '", file.metadata["optimizer"],
               "', the config asks for '", wanted, "'");
    load("m", optimizer->first_moment());
    if (!optimizer->second_moment().empty()) load("v", optimizer->second_moment());
    const std::string& step = file.metadata["step"];
    VREV_CHECK(!step.empty() && step.find_first_not_of("0123456789") == std::string::npos, path,
               ": metadata 'step' must be a non-negative integer, got '", step, "'");
    optimizer->set_steps_taken(std::stoll(step));
  }
  return state;
}

}  // namespace vrev::train
