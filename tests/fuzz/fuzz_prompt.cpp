// Fuzz target: a prompt in token names, as `vrev sample --prompt "USER h3 o12 ASST"` parses it,
// in the default world's vocabulary. A vrev::Error is the expected answer to an unknown token;
// anything else escaping, a crash or a sanitizer report is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "world/safety_vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vrev::world::SafetyVocabulary vocab{vrev::world::WorldConfig{}};
  try {
    const std::vector<int32_t> ids = vocab.parse(std::string(reinterpret_cast<const char*>(data), size));
    // A parsed prompt formats back to text that parses to the same ids.
    if (vocab.parse(vocab.format(ids.data(), ids.size())) != ids) std::abort();
  } catch (const vrev::Error&) {
  }
  return 0;
}
