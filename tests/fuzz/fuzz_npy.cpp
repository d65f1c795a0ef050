// Fuzz target: the .npy reader (token and mask arrays, probe outputs) on arbitrary bytes. A
// vrev::Error is the expected answer to bad input; anything else escaping, a crash or a sanitizer
// report is a bug.
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "core/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const vrev::io::Array array = vrev::io::parse_npy(std::vector<uint8_t>(data, data + size), "fuzz.npy");
    // What the reader promises of an array it accepts: its bytes match its shape and dtype.
    if (array.bytes.size() != static_cast<uint64_t>(array.numel()) * vrev::io::dtype_size(array.dtype)) std::abort();
  } catch (const vrev::Error&) {
  }
  return 0;
}
