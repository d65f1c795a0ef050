// Regressions from fuzzing the parsers (tests/fuzz/, docs/fuzzing.md): inputs that crashed a
// fuzz target, or escaped as an exception other than vrev::Error, now fail with a one-line
// vrev::Error naming the problem. ctest also replays the inputs themselves (fuzz_replay_*).
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/io.h"
#include "experiment/config.h"
#include "model/model_file.h"
#include "test_helpers.h"

using Catch::Contains;

namespace {

// The message of the vrev::Error that f() throws; any other exception fails the test case.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const vrev::Error& e) {
    return e.what();
  }
  return "<no error>";
}

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string config_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return error_of([&] { vrev::experiment::parse_config(text, "c.json", overrides); });
}

std::string safetensors_error(const std::string& header) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  bytes += header;
  return error_of([&] {
    vrev::io::parse_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "m.safetensors");
  });
}

}  // namespace

TEST_CASE("fuzz regression: a --set value that is not UTF-8 is refused, not dumped into an error") {
  // tests/fuzz/regressions/config/set-value-not-utf8: nlohmann's dump threw type_error 316.
  const std::string e = config_error("{}", {"model.width=3\xff\xff"});
  CHECK_THAT(e, Contains("--set \"model.width=3\\ufffd\\ufffd\": not valid UTF-8"));
  CHECK_THAT(config_error("{}", {"probe.si\xc3=last"}), Contains("not valid UTF-8"));
}

TEST_CASE("fuzz regression: a number too large for a double is invalid JSON, not out_of_range") {
  // tests/fuzz/regressions/config/number-overflow: nlohmann threw out_of_range 406.
  CHECK_THAT(config_error("1e400"), Contains("c.json: invalid JSON (") && Contains("number overflow parsing '1e400'"));
  CHECK_THAT(config_error(R"({"pretrain": {"schedule": {"lr": -1e999}}})"), Contains("c.json: invalid JSON ("));
}

TEST_CASE("fuzz regression: JSON nested deeper than 64 levels is refused before anything recurses") {
  // Dumping (into an error message) or copying a million-deep value overflowed the stack. Found
  // reading the code while writing the targets: fuzz inputs are far too short to nest this deep.
  const std::string deep = nested(1'000'000);
  const std::string message = "JSON nested deeper than 64 levels";
  CHECK_THAT(config_error(R"({"pretrain": {"steps": )" + deep + "}}"), Contains("c.json: " + message));
  CHECK_THAT(config_error("{}", {"model.width=" + deep}), Contains("--set 'model.width': " + message));
  CHECK_THAT(safetensors_error(R"({"w": {"dtype": "F32", "data_offsets": [0, 0], "shape": )" + deep + "}}"),
             Contains("m.safetensors: " + message));

  const auto dir = vrev::test::temp_dir("fuzz_regressions");
  const std::string path = (dir / "model.safetensors").string();
  vrev::io::write_safetensors(path, {}, {{vrev::model::kConfigKey, deep}});
  CHECK_THAT(error_of([&] { vrev::model::load_model(path); }), Contains(path + ": " + message));
  std::filesystem::remove_all(dir);

  // The root is level 0: 64 levels below it still parse (and fail later for the usual reason).
  CHECK_THAT(config_error(R"({"reproduce": {"arms": )" + nested(63) + "}}"), Contains("must be a string"));
  CHECK_THAT(config_error(R"({"reproduce": {"arms": )" + nested(64) + "}}"), Contains(message));
}
