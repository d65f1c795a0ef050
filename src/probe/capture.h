#pragma once
// Activation capture: the residual stream at every named site, at one token position, over a
// set of prompts, read by forward hooks in a no-grad pass. It draws no random numbers and uses its
// own tape, so capturing during training leaves the trajectory untouched.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "model/gpt.h"
#include "model/prompt_set.h"

namespace vrev::probe {

// Where in each prompt: the set's probe position (asst: the decision, ASST in the safety world;
// answer: the first answer token, SURE, for sets built to end there; refusal: each of the first
// pixels of the image world's blank refusal, one row per (prompt, position)), the last token, or
// the mean over every position.
enum class Position { Asst, Answer, Refusal, Last, Mean };
constexpr std::array<std::pair<Position, const char*>, 5> enum_names(Position) {
  return {{{Position::Asst, "asst"},
           {Position::Answer, "answer"},
           {Position::Refusal, "refusal"},
           {Position::Last, "last"},
           {Position::Mean, "mean"}}};
}

// Activations of S sites over N prompts, (S, N, C) site-major.
struct Capture {
  int sites = 0, N = 0, C = 0;
  std::vector<float> data;
  const float* site(int s) const { return data.data() + size_t(s) * N * C; }
  std::vector<double> site_mean(int s) const;
  // (S, C): the mean activation of every site.
  std::vector<float> means() const;
};

// Installs a forward hook at every site for the pass and removes them on every path. A site that
// already has a forward hook is an error naming it (capture neither replaces nor runs the caller's
// hooks, so what it reads is the model's own activation).
Capture capture_sites(model::Gpt<float>& model, const model::PromptSet& prompts, Position position);

}  // namespace vrev::probe
