// The Catch2 test runner's entry point, with the heap set up as vrev's own main sets it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/heap.h"

int main(int argc, char* argv[]) {
  vrev::heap::keep_freed_memory();
  return Catch::Session().run(argc, argv);
}
