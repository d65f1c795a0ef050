#pragma once
// A student's data written by a teacher model (the trait world's teacher arms), generated once,
// up front, with counter draws keyed by the seed: the same data on every run and thread count.
// Example i of hard, soft and full labels is a teacher prompt answered by sampling the teacher at
// temperature 1 from its whole next-token distribution; a sample is kept only if every answer
// token is one of the task's (the filter), and samples are drawn until `examples` are kept. Hard
// labels train on the sampled tokens; soft labels on the teacher's distribution at each answer
// position restricted to the answer tokens, full labels on its distribution over the whole
// vocabulary there (the forced tokens around the answer stay one-hot). Noise labels train on the
// teacher's whole distribution at every position of a sequence of uniformly random tokens, aux
// labels on its distribution there over every token but the trait tokens, renormalised. The
// student cycles through the examples in order, an epoch every `examples` sequences. With a share
// below 1, each example is the teacher's with that probability (a counter draw) and otherwise the
// world's own fine-tuning example of the same index (one-hot soft targets).
#include <cstdint>
#include <vector>

#include "model/gpt.h"
#include "train/batch.h"
#include "world/world.h"

namespace vrev::world {

class TeacherData : public train::BatchSource {
 public:
  TeacherData(const World& world, model::Gpt<float>& teacher, TeacherLabels labels, double share, uint64_t seed,
              int64_t examples, int batch_size);
  void fill(int64_t step, train::Batch& batch) override;

  int sequence_length() const { return length_; }
  const std::vector<int32_t>& sequences() const { return sequences_; }  // (examples, sequence_length)
  // The teacher's samples drawn to keep `examples` of them (the filter's cost); 0 on noise.
  int64_t samples_drawn() const { return samples_drawn_; }

 private:
  void sample_answers(const World& world, model::Gpt<float>& teacher, uint64_t seed);
  void draw_noise(uint64_t seed);
  // The teacher's distributions at the labelled positions of every sequence.
  void compute_labels(model::Gpt<float>& teacher);

  const World& world_;
  TeacherTask task_;
  TeacherLabels labels_;
  int64_t examples_;
  int batch_size_, length_, vocab_size_;
  int answer_start_;                 // index in a sequence of the first answer token
  int label_start_ = 0;              // the target index of the first labelled position
  int label_positions_ = 0;          // soft and full: the answer tokens; noise and aux: every position
  int label_tokens_ = 0;             // soft: the answer tokens; full, noise and aux: the vocabulary
  int64_t samples_drawn_ = 0;
  std::vector<bool> from_teacher_;   // per example: the teacher's, or the world's fine-tuning one
  std::vector<int32_t> sequences_;   // (examples, length)
  std::vector<float> label_probs_;   // (examples, label_positions_, label_tokens_)
};

}  // namespace vrev::world
