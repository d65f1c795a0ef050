// The captures manifest (captures.json) that `vrev drift` and reproduce read back: every key is
// checked, and every error, a JSON syntax error included, is one line naming the file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "probe/files.h"
#include "probe/run_geometry.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using namespace vrev;

namespace {

const char* kGood = R"({"site": "blocks.1.resid_post", "site_index": 4, "position": "asst",
  "sites": ["embed", "blocks.0.resid_mid", "blocks.0.resid_post", "blocks.1.resid_mid", "blocks.1.resid_post", "ln_f"],
  "steps": [0, 1, 2]})";

// The error run_geometry raises for a run whose manifest is `text` ("" if none).
std::string geometry_error(const fs::path& run, const std::string& text) {
  const std::string path = probe::captures_manifest_path(run.string());
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
  try {
    probe::run_geometry(run.string(), (run / "no-probe").string(), {}, 0, probe::ProbeConfig{},
                        {"pretrain", "align", "harm_probe", "benign_probe"});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("captures manifest: every key checked, every error names the file", "[probe][files]") {
  const fs::path run = test::temp_dir("manifest");
  const std::string path = probe::captures_manifest_path(run.string());
  auto fails = [&](const std::string& text, const std::string& needle) {
    const std::string err = geometry_error(run, text);
    INFO(text);
    CHECK(err.find('\n') == std::string::npos);
    CHECK_THAT(err, Catch::StartsWith(path + ": ") && Catch::Contains(needle));
  };
  // A good manifest gets as far as the reference captures, which this run lacks.
  CHECK_THAT(geometry_error(run, kGood), Catch::Contains("no-probe"));

  fails(R"({"site_index": 4, "steps": [0, 1)", "invalid JSON");
  fails("[1, 2]", "must be a JSON object");
  fails(R"({"site_index": 4, "position": "asst", "steps": [0]})", "missing key 'sites'");
  fails(R"({"position": "asst", "sites": [], "steps": [0]})", "missing key 'site_index'");
  fails(R"({"site_index": "4", "position": "asst", "sites": [], "steps": [0]})", "'site_index' must be an integer");
  fails(R"({"site_index": 4, "position": 1, "sites": [], "steps": [0]})", "'position' must be a string");
  fails(R"({"site_index": 4, "position": "asst", "sites": ["embed", 2], "steps": [0]})",
        "'sites' must be an array of site names");
  fails(R"({"site_index": 4, "position": "asst", "sites": [], "steps": [0, "1"]})",
        "'steps' must be an array of non-negative integers");
  fails(R"({"site_index": 4, "position": "asst", "sites": [], "steps": [0, -1]})",
        "'steps' must be an array of non-negative integers");
  fails(R"({"site_index": 4, "position": "asst", "sites": [], "steps": 3})", "'steps' must be an array");
  fs::remove_all(run);
}
