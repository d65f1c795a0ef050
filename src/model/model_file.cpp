// Saving and loading the GPT's parameters as safetensors.
#include "model/model_file.h"

#include <cstring>

#include "core/io.h"
#include "core/json_depth.h"

namespace vrev::model {

namespace {

ModelConfig config_from_metadata(const std::string& path, const Metadata& metadata) {
  auto it = metadata.find(kConfigKey);
  VREV_CHECK(it != metadata.end(), path, ": no model config in the safetensors metadata (key '", kConfigKey, "')");
  settings::Json json = settings::Json::parse(it->second, json_depth_limit<settings::Json>(path), false);
  VREV_CHECK(!json.is_discarded(), path, ": the model config in the metadata is not valid JSON");
  try {
    ModelConfig cfg = settings::read<ModelConfig>(json, "model");
    cfg.validate();
    return cfg;
  } catch (const Error& e) {
    VREV_FAIL(path, ": ", e.what());
  }
}

}  // namespace

void save_model(const std::string& path, const Gpt<float>& model, Metadata metadata) {
  metadata[kConfigKey] = settings::write(model.config()).dump();
  std::vector<std::pair<std::string, io::Array>> tensors;
  const Parameters<float>& P = model.params();
  for (size_t i = 0; i < P.views().size(); ++i) {
    const ParamView& v = P.views()[i];
    tensors.emplace_back(v.name, io::Array::from_f32(P.value(static_cast<int>(i)), v.shape.vec()));
  }
  io::write_safetensors(path, tensors, metadata);
}

Gpt<float> load_model(const std::string& path, Metadata* metadata) {
  io::SafetensorsFile file = io::read_safetensors(path);
  Gpt<float> model(config_from_metadata(path, file.metadata));
  load_model_into(path, model, metadata);
  return model;
}

void load_model_into(const std::string& path, Gpt<float>& model, Metadata* metadata) {
  io::SafetensorsFile file = io::read_safetensors(path);
  if (file.metadata.count(kConfigKey)) {
    const ModelConfig stored = config_from_metadata(path, file.metadata);
    const ModelConfig& want = model.config();
    VREV_CHECK(stored == want, path, ": checkpoint model is ", settings::write(stored).dump(),
               " but the config asks for ", settings::write(want).dump());
  }
  Parameters<float>& P = model.params();
  for (size_t i = 0; i < P.views().size(); ++i) {
    const ParamView& v = P.views()[i];
    auto it = file.tensors.find(v.name);
    VREV_CHECK(it != file.tensors.end(), path, ": missing tensor '", v.name, "'");
    const io::Array& a = it->second;
    VREV_CHECK(a.dtype == io::DType::F32, path, ": tensor '", v.name, "' has dtype ", io::dtype_name(a.dtype),
               ", expected F32");
    VREV_CHECK(Shape::from(a.shape) == v.shape, path, ": tensor '", v.name, "' has shape ",
               Shape::from(a.shape).str(), ", expected ", v.shape.str());
    std::memcpy(P.value(static_cast<int>(i)), a.bytes.data(), a.bytes.size());
  }
  for (const std::string& name : file.names)
    VREV_CHECK(P.find(name) >= 0, path, ": unexpected tensor '", name, "' (not a parameter of this model)");
  if (metadata) *metadata = file.metadata;
}

}  // namespace vrev::model
