// Fuzz target: the safetensors reader (checkpoints, gradients) on arbitrary bytes. A vrev::Error
// is the expected answer to bad input; anything else escaping, a crash or a sanitizer report is a bug.
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "core/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const vrev::io::SafetensorsFile file = vrev::io::parse_safetensors(data, size, "fuzz.safetensors");
    // What the reader promises of a file it accepts: every tensor listed once, its bytes matching its shape.
    if (file.names.size() != file.tensors.size()) std::abort();
    for (const auto& [name, array] : file.tensors)
      if (array.bytes.size() != static_cast<uint64_t>(array.numel()) * vrev::io::dtype_size(array.dtype)) std::abort();
  } catch (const vrev::Error&) {
  }
  return 0;
}
