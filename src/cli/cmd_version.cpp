// vrev version
#include "cli/common.h"
#include "vrev/version.h"

namespace vrev::cli {

int run_version(int argc, char** argv) {
  cxxopts::Options options("vrev version", "Print vrev's version.");
  parse(options, argc, argv);
  std::printf("vrev %s\n", kVersion);
  return 0;
}

}  // namespace vrev::cli
