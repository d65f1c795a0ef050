// Sampling a teacher's answers (filtered), or drawing noise, and the teacher's labels, once;
// batches by index.
#include "world/teacher_data.h"

#include <algorithm>

#include "core/error.h"
#include "core/rng.h"
#include "model/generate.h"

namespace vrev::world {

namespace {
constexpr int kChunk = 256;  // sequences generated or labelled per call; part of the counters, so fixed
// The filter may drop this many samples per kept one before the teacher counts as not writing
// the task's answers at all.
constexpr int64_t kMaxDrawsPerExample = 20;
}  // namespace

TeacherData::TeacherData(const World& world, model::Gpt<float>& teacher, TeacherLabels labels, double share,
                         uint64_t seed, int64_t examples, int batch_size)
    : world_(world), labels_(labels), examples_(examples), batch_size_(batch_size),
      vocab_size_(teacher.config().vocab_size) {
  const std::optional<TeacherTask> task = world.teacher_task();
  VREV_CHECK(task.has_value(), "this world has no teacher data: teacher arms need the trait world");
  VREV_CHECK(examples > 0, "teacher data: no examples asked for");
  task_ = *task;
  length_ = task_.sequence_length();
  VREV_CHECK(length_ - 1 <= teacher.config().context, "teacher sequences of ", length_,
             " tokens do not fit the model's context of ", teacher.config().context);
  answer_start_ = task_.prompt_length + static_cast<int>(task_.forced_prefix.size());
  VREV_CHECK(share >= 1.0 || length_ == world.sequence_length(), "teacher data: a share below 1 mixes in the "
             "world's examples, which need the teacher's sequence length");
  from_teacher_.resize(examples);
  for (int64_t i = 0; i < examples; ++i)
    from_teacher_[i] = share >= 1.0 || rng::uniform(seed, rng::stream_id("teacher/mix"), uint64_t(i)) < share;
  sequences_.resize(size_t(examples) * length_);
  const bool on_noise = labels_ == TeacherLabels::noise || labels_ == TeacherLabels::aux;
  if (on_noise) {
    draw_noise(seed);
    label_start_ = 0;
    label_positions_ = length_ - 1;
  } else {
    sample_answers(world, teacher, seed);
    label_start_ = answer_start_ - 1;
    label_positions_ = task_.answer_length;
  }
  label_tokens_ = labels_ == TeacherLabels::soft ? static_cast<int>(task_.answer_tokens.size()) : vocab_size_;
  if (labels_ == TeacherLabels::aux) VREV_CHECK(!task_.trait_tokens.empty(), "teacher data: aux labels need the trait tokens");
  if (labels_ != TeacherLabels::hard) compute_labels(teacher);
}

// Chunks of teacher prompts answered at temperature 1 over the whole vocabulary; a sample whose
// answer holds any token outside the task's answer tokens is dropped.
void TeacherData::sample_answers(const World& world, model::Gpt<float>& teacher, uint64_t seed) {
  const int L = task_.answer_length;
  std::vector<bool> is_answer_token(vocab_size_, false);
  for (const int32_t t : task_.answer_tokens) is_answer_token[t] = true;
  model::GenerateOptions opt;
  opt.max_new_tokens = L;
  opt.temperature = 1.0;
  std::vector<int32_t> prompts(size_t(kChunk) * answer_start_);
  int64_t kept = 0;
  while (kept < examples_) {
    VREV_CHECK(samples_drawn_ < kMaxDrawsPerExample * examples_, "teacher data: only ", kept, " of ", samples_drawn_,
               " samples answer with the task's tokens alone; the teacher does not write the task's answers");
    // The prompt and the forced prefix of samples samples_drawn_ .. + kChunk - 1.
    for (int b = 0; b < kChunk; ++b) {
      int32_t* p = prompts.data() + size_t(b) * answer_start_;
      world.write_teacher_prompt(samples_drawn_ + b, p);
      std::copy(task_.forced_prefix.begin(), task_.forced_prefix.end(), p + task_.prompt_length);
    }
    opt.seed = rng::bits(seed, rng::stream_id("teacher/sample"), uint64_t(samples_drawn_));
    const model::Generation gen = model::generate(teacher, prompts.data(), kChunk, answer_start_, opt);
    for (int b = 0; b < kChunk && kept < examples_; ++b) {
      const int32_t* answer = gen.tokens.data() + size_t(b) * L;
      if (!std::all_of(answer, answer + L, [&](int32_t t) { return is_answer_token[t]; })) continue;
      int32_t* s = sequences_.data() + size_t(kept++) * length_;
      std::copy_n(prompts.data() + size_t(b) * answer_start_, answer_start_, s);
      std::copy_n(answer, L, s + answer_start_);
      std::copy(task_.forced_suffix.begin(), task_.forced_suffix.end(), s + answer_start_ + L);
    }
    samples_drawn_ += kChunk;
  }
}

void TeacherData::draw_noise(uint64_t seed) {
  const uint64_t stream = rng::stream_id("teacher/noise");
  for (size_t i = 0; i < sequences_.size(); ++i)
    sequences_[i] = static_cast<int32_t>(rng::below(seed, stream, i, uint64_t(vocab_size_)));
}

void TeacherData::compute_labels(model::Gpt<float>& teacher) {
  const int T = length_ - 1, V = vocab_size_, P = label_positions_;
  label_probs_.resize(size_t(examples_) * P * label_tokens_);
  autograd::Tape<float> tape;
  // The tokens a label is over: the answer tokens (soft), every token but the trait's (aux), all.
  std::vector<int32_t> over;
  if (labels_ == TeacherLabels::soft) {
    over = task_.answer_tokens;
  } else if (labels_ == TeacherLabels::aux) {
    std::vector<bool> trait(V, false);
    for (const int32_t t : task_.trait_tokens) trait[t] = true;
    for (int v = 0; v < V; ++v)
      if (!trait[v]) over.push_back(v);
  }
  std::vector<float> restricted(over.size());
  for (int64_t start = 0; start < examples_; start += kChunk) {
    const int B = static_cast<int>(std::min<int64_t>(kChunk, examples_ - start));
    tape.reset();
    autograd::NoGrad<float> no_grad(tape);
    std::vector<int32_t> inputs(size_t(B) * T);
    for (int b = 0; b < B; ++b) std::copy_n(sequences_.data() + size_t(start + b) * length_, T, inputs.data() + size_t(b) * T);
    const float* logits = tape.value(teacher.forward(tape, inputs.data(), B, T));
    for (int b = 0; b < B; ++b)
      for (int j = 0; j < P; ++j) {
        const float* z = logits + (size_t(b) * T + label_start_ + j) * V;
        float* out = label_probs_.data() + (size_t(start + b) * P + j) * label_tokens_;
        if (over.empty()) {  // full and noise
          const std::vector<double> q = model::softmax(z, V);
          for (int k = 0; k < V; ++k) out[k] = static_cast<float>(q[k]);
          continue;
        }
        for (size_t a = 0; a < over.size(); ++a) restricted[a] = z[over[a]];
        const std::vector<double> q = model::softmax(restricted.data(), static_cast<int>(over.size()));
        if (labels_ == TeacherLabels::soft) {
          for (size_t a = 0; a < over.size(); ++a) out[a] = static_cast<float>(q[a]);
        } else {  // aux: over the vocabulary, the trait tokens at zero
          std::fill_n(out, V, 0.0f);
          for (size_t a = 0; a < over.size(); ++a) out[over[a]] = static_cast<float>(q[a]);
        }
      }
  }
}

void TeacherData::fill(int64_t step, train::Batch& batch) {
  const int T = length_ - 1;
  const bool soft_targets = labels_ != TeacherLabels::hard;
  batch.resize(batch_size_, T);
  if (soft_targets) batch.soft_targets.assign(size_t(batch_size_) * T * vocab_size_, 0.0f);
  for (int b = 0; b < batch_size_; ++b) {
    const int64_t index = (step * batch_size_ + b) % examples_;  // epoch after epoch, in order
    const size_t row = size_t(b) * T;
    if (!from_teacher_[index]) {  // the world's own example, with one-hot soft targets
      world_.write_example(Phase::Finetune, index, batch.inputs.data() + row, batch.targets.data() + row,
                           batch.weights.data() + row);
      if (soft_targets)
        for (int t = 0; t < T; ++t) batch.soft_targets[(row + t) * vocab_size_ + batch.targets[row + t]] = 1.0f;
      continue;
    }
    const int32_t* s = sequences_.data() + size_t(index) * length_;
    // The loss covers a noise sequence whole, and a teacher answer from the prediction at the
    // prompt's last token on.
    const int first_weighted = label_start_ == 0 ? 0 : task_.prompt_length - 1;
    for (int t = 0; t < T; ++t) {
      batch.inputs[row + t] = s[t];
      batch.targets[row + t] = s[t + 1];
      batch.weights[row + t] = t >= first_weighted ? 1.0f : 0.0f;
      if (!soft_targets) continue;
      float* q = batch.soft_targets.data() + (row + t) * vocab_size_;
      const int j = t - label_start_;  // the labelled position this target is, if any
      if (j >= 0 && j < label_positions_) {
        const float* probs = label_probs_.data() + (size_t(index) * label_positions_ + j) * label_tokens_;
        if (labels_ == TeacherLabels::soft)
          for (size_t a = 0; a < task_.answer_tokens.size(); ++a) q[task_.answer_tokens[a]] = probs[a];
        else
          std::copy_n(probs, label_tokens_, q);
      } else {
        q[s[t + 1]] = 1.0f;
      }
    }
  }
}

}  // namespace vrev::world
