// vrev grad: loss and every parameter's gradient for given tokens, so that vrev's forward and
// backward can be held against an independent implementation (README has a NumPy snippet).
#include <cstring>

#include "autograd/ops.h"
#include "cli/common.h"
#include "core/io.h"
#include "model/model_file.h"
#include "train/checkpoint.h"

namespace vrev::cli {

int run_grad(int argc, char** argv) {
  cxxopts::Options options("vrev grad",
                           "Print {\"loss\": ...} and write the gradient of every parameter.\n"
                           "tokens.npy: int32 (B, T+1); inputs are [:, :-1], targets [:, 1:].\n"
                           "mask.npy: float32 (B, T) weights on the targets (default all ones).");
  options.add_options()("ckpt", "checkpoint directory or model.safetensors", cxxopts::value<std::string>())(
      "tokens", "int32 token ids (B, T+1)", cxxopts::value<std::string>())(
      "mask", "float32 target weights (B, T)", cxxopts::value<std::string>())(
      "out", "gradients as safetensors, one tensor per parameter", cxxopts::value<std::string>())(
      "logits", "also write the logits (B, T, V) as float32 .npy", cxxopts::value<std::string>());
  auto args = parse(options, argc, argv);
  const std::string ckpt = required(args, "ckpt"), tokens_path = required(args, "tokens");
  const std::string out = required(args, "out");

  model::Gpt<float> gpt = model::load_model(train::model_file_path(ckpt));
  const int V = gpt.config().vocab_size;

  io::Array tokens_array = io::read_npy(tokens_path);
  VREV_CHECK(tokens_array.dtype == io::DType::I32 || tokens_array.dtype == io::DType::I64, tokens_path,
             ": tokens must be int32, got ", io::dtype_name(tokens_array.dtype));
  VREV_CHECK(tokens_array.shape.size() == 2 && tokens_array.shape[0] >= 1 && tokens_array.shape[1] >= 2,
             tokens_path, ": tokens must have shape (B, T+1) with B >= 1 and T >= 1");
  const int B = static_cast<int>(tokens_array.shape[0]), T = static_cast<int>(tokens_array.shape[1] - 1);
  VREV_CHECK(T <= gpt.config().context, tokens_path, ": T = ", T, " exceeds the model's context of ",
             gpt.config().context);
  std::vector<int32_t> all = tokens_array.to_i32(tokens_path);
  for (size_t i = 0; i < all.size(); ++i)
    VREV_CHECK(all[i] >= 0 && all[i] < V, tokens_path, ": token id ", all[i], " at flat index ", i,
               " is out of range [0, ", V, ")");
  std::vector<int32_t> inputs(size_t(B) * T), targets(inputs.size());
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      inputs[size_t(b) * T + t] = all[size_t(b) * (T + 1) + t];
      targets[size_t(b) * T + t] = all[size_t(b) * (T + 1) + t + 1];
    }
  std::vector<float> mask(inputs.size(), 1.0f);
  if (args.count("mask")) {
    const std::string mask_path = args["mask"].as<std::string>();
    io::Array m = io::read_npy(mask_path);
    VREV_CHECK(m.shape == std::vector<int64_t>({B, T}), mask_path, ": mask must have shape (", B, ", ", T, ")");
    mask = m.to_f32(mask_path);
  }

  autograd::Tape<float> tape;
  autograd::Var logits = gpt.forward(tape, inputs.data(), B, T);
  autograd::Var loss = autograd::cross_entropy(tape, logits, targets.data(), mask.data());
  tape.backward(loss);

  std::vector<std::pair<std::string, io::Array>> grads;
  const auto& P = gpt.params();
  for (size_t i = 0; i < P.views().size(); ++i)
    grads.emplace_back(P.views()[i].name,
                       io::Array::from_f32(P.grads() + P.views()[i].offset, P.views()[i].shape.vec()));
  io::write_safetensors(out, grads, {{"loss", std::to_string(tape.value(loss)[0])}});
  if (args.count("logits"))
    io::write_npy(args["logits"].as<std::string>(), io::Array::from_f32(tape.value(logits), {B, T, V}));
  std::printf("{\"loss\": %.9g}\n", static_cast<double>(tape.value(loss)[0]));
  return 0;
}

}  // namespace vrev::cli
