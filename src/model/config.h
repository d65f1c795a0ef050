#pragma once
// The model section of every config: {"model": {"vocab_size", "context", "layers", "width", "heads"}}.
#include "core/settings.h"

namespace vrev::model {

struct ModelConfig {
  int vocab_size = 0;  // V; 0 means "the world decides" (a world fills it from its vocabulary)
  int context = 32;    // Tmax, the number of learned positions
  int layers = 4;      // L
  int width = 128;     // C
  int heads = 4;       // NH; HS = C / NH

  template <class V>
  void visit(V& v) {
    v(vocab_size, "vocab_size", "vocabulary size V (0: taken from the world)", 0, 1 << 20);
    v(context, "context", "maximum sequence length Tmax", 1, 1 << 16);
    v(layers, "layers", "number of transformer blocks L", 1, 256);
    v(width, "width", "residual stream width C", 1, 1 << 16);
    v(heads, "heads", "attention heads NH (must divide width)", 1, 1024);
  }
  // Checks the relations between fields; the error names the offending ones.
  void validate() const;
  bool operator==(const ModelConfig&) const = default;
};

}  // namespace vrev::model
