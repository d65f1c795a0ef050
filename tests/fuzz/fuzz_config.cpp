// Fuzz target: an experiment config as `vrev train --config FILE --set k=v ...` reads it. The input
// is split at NUL bytes: the first piece is the file's text, each further piece one --set
// assignment (neither a file nor an argv string holds a NUL of its own). A vrev::Error is the
// expected answer to bad input; anything else escaping, a crash or a sanitizer report is a bug.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "experiment/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> pieces(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0)
      pieces.emplace_back();
    else
      pieces.back() += static_cast<char>(data[i]);
  }
  const std::vector<std::string> overrides(pieces.begin() + 1, pieces.end());
  try {
    vrev::experiment::parse_config(pieces.front(), "fuzz.json", overrides);
  } catch (const vrev::Error&) {
  }
  return 0;
}
