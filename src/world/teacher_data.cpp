// Sampling a teacher's answers, and its soft labels, once; batches by index.
#include "world/teacher_data.h"

#include <algorithm>

#include "core/error.h"
#include "core/rng.h"
#include "model/generate.h"

namespace vrev::world {

namespace {
constexpr int kChunk = 256;  // examples generated per call; part of the counters, so fixed
}

TeacherData::TeacherData(const World& world, model::Gpt<float>& teacher, TeacherLabels labels, double share,
                         uint64_t seed, int64_t examples, int batch_size)
    : world_(world), labels_(labels), examples_(examples), batch_size_(batch_size),
      vocab_size_(teacher.config().vocab_size) {
  const std::optional<TeacherTask> task = world.teacher_task();
  VREV_CHECK(task.has_value(), "this world has no teacher data: teacher arms need the trait world");
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
  const int A = static_cast<int>(task_.answer_tokens.size()), L = task_.answer_length, V = vocab_size_;
  sequences_.resize(size_t(examples) * length_);
  label_tokens_ = labels_ == TeacherLabels::full ? V : A;
  if (labels_ != TeacherLabels::hard) answer_probs_.resize(size_t(examples) * L * label_tokens_);

  model::GenerateOptions opt;
  opt.max_new_tokens = L;
  opt.temperature = 1.0;
  opt.allowed_tokens = task_.answer_tokens;
  std::vector<int32_t> prompts;
  autograd::Tape<float> tape;
  for (int64_t start = 0; start < examples; start += kChunk) {
    const int B = static_cast<int>(std::min<int64_t>(kChunk, examples - start));
    // The prompt and the forced prefix, then the sampled answer and the forced suffix.
    prompts.resize(size_t(B) * answer_start_);
    for (int b = 0; b < B; ++b) {
      int32_t* p = prompts.data() + size_t(b) * answer_start_;
      world.write_teacher_prompt(start + b, p);
      std::copy(task_.forced_prefix.begin(), task_.forced_prefix.end(), p + task_.prompt_length);
    }
    opt.seed = rng::bits(seed, rng::stream_id("teacher/sample"), uint64_t(start));
    const model::Generation gen = model::generate(teacher, prompts.data(), B, answer_start_, opt);
    for (int b = 0; b < B; ++b) {
      int32_t* s = sequences_.data() + size_t(start + b) * length_;
      std::copy_n(prompts.data() + size_t(b) * answer_start_, answer_start_, s);
      std::copy_n(gen.tokens.data() + size_t(b) * L, L, s + answer_start_);
      std::copy(task_.forced_suffix.begin(), task_.forced_suffix.end(), s + answer_start_ + L);
    }
    if (labels_ == TeacherLabels::hard) continue;
    // The teacher's distribution at each answer position, along its own sample, over the answer
    // tokens (soft) or the whole vocabulary (full).
    tape.reset();
    autograd::NoGrad<float> no_grad(tape);
    std::vector<int32_t> inputs(size_t(B) * (length_ - 1));
    for (int b = 0; b < B; ++b)
      std::copy_n(sequences_.data() + size_t(start + b) * length_, length_ - 1, inputs.data() + size_t(b) * (length_ - 1));
    const float* logits = tape.value(teacher.forward(tape, inputs.data(), B, length_ - 1));
    for (int b = 0; b < B; ++b)
      for (int j = 0; j < L; ++j) {
        const float* z = logits + (size_t(b) * (length_ - 1) + answer_start_ - 1 + j) * V;
        std::vector<float> restricted(A);
        for (int a = 0; a < A; ++a) restricted[a] = z[task_.answer_tokens[a]];
        const std::vector<double> q =
            labels_ == TeacherLabels::full ? model::softmax(z, V) : model::softmax(restricted.data(), A);
        float* out = answer_probs_.data() + ((size_t(start + b) * L) + j) * label_tokens_;
        for (int k = 0; k < label_tokens_; ++k) out[k] = static_cast<float>(q[k]);
      }
  }
}

void TeacherData::fill(int64_t step, train::Batch& batch) {
  const int T = length_ - 1, L = task_.answer_length, A = static_cast<int>(task_.answer_tokens.size());
  VREV_CHECK((step + 1) * batch_size_ <= examples_, "teacher data: batch ", step, " asked of ",
             examples_ / batch_size_, " generated");
  const bool soft_targets = labels_ != TeacherLabels::hard;
  batch.resize(batch_size_, T);
  if (soft_targets) batch.soft_targets.assign(size_t(batch_size_) * T * vocab_size_, 0.0f);
  for (int b = 0; b < batch_size_; ++b) {
    const int64_t index = step * batch_size_ + b;
    if (!from_teacher_[index]) {  // the world's own example, with one-hot soft targets
      const size_t row = size_t(b) * T;
      world_.write_example(Phase::Finetune, index, batch.inputs.data() + row, batch.targets.data() + row,
                           batch.weights.data() + row);
      if (soft_targets)
        for (int t = 0; t < T; ++t) batch.soft_targets[(row + t) * vocab_size_ + batch.targets[row + t]] = 1.0f;
      continue;
    }
    const int32_t* s = sequences_.data() + size_t(index) * length_;
    for (int t = 0; t < T; ++t) {
      batch.inputs[size_t(b) * T + t] = s[t];
      batch.targets[size_t(b) * T + t] = s[t + 1];
      // The loss covers the response: from the prediction at the prompt's last token on.
      batch.weights[size_t(b) * T + t] = t >= task_.prompt_length - 1 ? 1.0f : 0.0f;
      if (!soft_targets) continue;
      float* q = batch.soft_targets.data() + (size_t(b) * T + t) * vocab_size_;
      const int j = t + 1 - answer_start_;  // the answer position this target is, if any
      if (j >= 0 && j < L) {
        const float* probs = answer_probs_.data() + (size_t(index) * L + j) * label_tokens_;
        if (labels_ == TeacherLabels::full)
          std::copy_n(probs, label_tokens_, q);
        else
          for (int a = 0; a < A; ++a) q[task_.answer_tokens[a]] = probs[a];
      } else {
        q[s[t + 1]] = 1.0f;
      }
    }
  }
}

}  // namespace vrev::world
