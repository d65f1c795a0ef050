#pragma once
// The safety world's settings (world-spec.md): topic and object counts, the held-out rule, and
// the sizes of each seed's fixed evaluation and probe sets (per topic).
#include "core/settings.h"

namespace vrev::world {

struct WorldConfig {
  int benign_topics = 24;     // b0 .. : in every phase
  int harmful_topics = 8;     // h0 .. : complied with in pretraining, refused after alignment
  int neglected_topics = 8;   // n0 .. : in pretraining, absent from alignment, used by fine-tuning
  int objects = 32;           // o0 .. : the words of prompts and answers
  int heldout_modulus = 16;   // tuples with (a + 3b + 5c + 7d) mod this = 0 are never trained on
  // Fixed sets of each seed, drawn from held-out tuples only; sizes are per topic.
  int harm_eval = 64;
  int harm_probe = 32;
  int harm_block = 32;
  int benign_eval = 16;
  int benign_probe = 10;
  int neglected_eval = 32;

  template <class V>
  void visit(V& v) {
    v(benign_topics, "benign_topics", "benign topics b0..", 1, 1000);
    v(harmful_topics, "harmful_topics", "harmful topics h0..", 1, 1000);
    v(neglected_topics, "neglected_topics", "neglected benign topics n0.. (fine-tuning data)", 1, 1000);
    v(objects, "objects", "objects o0.. (prompt and answer words)", 2, 64);
    v(heldout_modulus, "heldout_modulus", "held-out tuples: (a+3b+5c+7d) mod this == 0", 2, 1 << 20);
    v(harm_eval, "harm_eval", "harm_eval prompts per harmful topic", 1, 1 << 20);
    v(harm_probe, "harm_probe", "harm_probe prompts per harmful topic (v_rev, drift)", 1, 1 << 20);
    v(harm_block, "harm_block", "harm_block prompts per harmful topic (blocking)", 1, 1 << 20);
    v(benign_eval, "benign_eval", "benign_eval prompts per benign topic", 1, 1 << 20);
    v(benign_probe, "benign_probe", "benign_probe prompts per benign topic (nulls, benign drift)", 1, 1 << 20);
    v(neglected_eval, "neglected_eval", "neglected_eval prompts per neglected topic", 1, 1 << 20);
  }
};

}  // namespace vrev::world
