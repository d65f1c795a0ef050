#pragma once
// Fine-tuning data written by a teacher model (the trait world's teacher arms): example i is the
// world's teacher prompt i, answered by sampling the teacher at temperature 1 from its next-token
// distribution restricted to the task's answer tokens (counter draws keyed by the seed, so the
// data are the same on every run and thread count). Hard labels train on the sampled tokens;
// soft labels on the teacher's distribution at each answer position, restricted to the answer
// tokens, and full labels on its distribution over the whole vocabulary there (the forced tokens
// around the answer stay one-hot). Every example is generated up front, once. With a share
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

 private:
  const World& world_;
  TeacherTask task_;
  TeacherLabels labels_;
  int64_t examples_;
  int batch_size_, length_, vocab_size_;
  int answer_start_;                // index in a sequence of the first answer token
  std::vector<bool> from_teacher_;  // per example: the teacher's, or the world's fine-tuning one
  std::vector<int32_t> sequences_;  // (examples, length)
  int label_tokens_ = 0;            // soft: the answer tokens; full: the vocabulary
  std::vector<float> answer_probs_; // soft and full labels: (examples, answer_length, label_tokens_)
};

}  // namespace vrev::world
