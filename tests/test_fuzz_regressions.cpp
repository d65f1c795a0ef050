// Regressions from fuzzing the parsers (tests/fuzz/, docs/fuzzing.md): inputs that crashed a
// fuzz target, or escaped as an exception other than vrev::Error, now fail with a one-line
// vrev::Error naming the problem. ctest also replays the inputs themselves (fuzz_replay_*).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "experiment/config.h"

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

std::string config_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return error_of([&] { vrev::experiment::parse_config(text, "c.json", overrides); });
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
