// Kill anywhere: `vrev reproduce --jobs 2` on a shrunk tiny config is killed with SIGKILL at 20
// moments and run again with the same arguments until it completes. The moments are points of progress (how
// many distinct file versions the run has put in place, see child_process.h) drawn by the counter
// RNG from a fixed seed, so where the kills land depends on the run, not on the machine's speed;
// each kill comes right after a file is renamed into place, inside the gaps between the files of
// one save. After every kill each file under a final name must be complete and each checkpoint of
// one step; at the end every output must equal an uninterrupted serial run's bits (wall times
// aside): running units at once changes nothing but the order they end in.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "child_process.h"
#include "core/io.h"
#include "core/rng.h"
#include "core/settings.h"
#include "test_helpers.h"
#include "train/checkpoint.h"

namespace fs = std::filesystem;
using namespace vrev;
using settings::Json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kKills = 20;
constexpr uint64_t kSeed = 20240607;

// configs/tiny.json shrunk to seconds: one seed, two arms, checkpoints inside every phase.
void write_config(const fs::path& path) {
  Json cfg = Json::parse(io::read_text(std::string(VREV_SOURCE_DIR) + "/configs/tiny.json"));
  cfg["pretrain"].update(Json{{"steps", 60}, {"checkpoint_every", 20}, {"log_every", 10}});
  cfg["align"].update(Json{{"steps", 20}, {"checkpoint_every", 10}});
  cfg["finetune"].update(
      Json{{"steps", 6}, {"log_every", 3}, {"eval_steps", Json::array({0, 1, 6})}, {"checkpoint_every", 3}});
  cfg["probe"] = {{"anisotropic_draws", 50}, {"shuffle_draws", 50}};
  cfg["reproduce"] = {{"seeds", 1}, {"arms", Json::array({"plain", "block-vrev"})}};
  io::write_text_atomic(path.string(), cfg.dump(2) + "\n");
}

// The uninterrupted run one unit at a time on one thread; the killed runs two units at once, one
// thread each, so kills land while two units write, and the end must equal the serial run's bits.
std::vector<std::string> reproduce_args(const fs::path& config, const fs::path& out, int jobs) {
  return {"reproduce", "--config", config.string(), "--out", out.string(), "--threads", std::to_string(jobs),
          "--jobs", std::to_string(jobs)};
}

// Outputs whose bytes differ between identical runs: they hold wall times.
bool varies(const std::string& name) {
  return name == "summary.json" || name == train::kStateFile || name == "metrics.jsonl" || name == "report.md";
}

bool ends_with_newline(const std::string& s) { return !s.empty() && s.back() == '\n'; }

// Why the file at `path` is not complete ("" when it is), judged by its kind.
std::string incomplete(const fs::path& path) {
  const std::string p = path.string(), ext = path.extension().string();
  try {
    if (ext == ".safetensors") {
      io::read_safetensors(p);
    } else if (ext == ".npy") {
      io::read_npy(p);
    } else {
      const std::string text = io::read_text(p);
      if (ext == ".json") {
        if (!Json::accept(text)) return "not valid JSON";
      } else if (ext == ".jsonl") {
        if (!ends_with_newline(text)) return "no final newline";
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);)
          if (!Json::accept(line)) return "a line that is not valid JSON";
      } else if (ext == ".csv") {
        if (!ends_with_newline(text)) return "no final newline";
        std::istringstream in(text);
        std::string header;
        std::getline(in, header);
        const auto fields = [](const std::string& l) { return std::count(l.begin(), l.end(), ','); };
        for (std::string line; std::getline(in, line);)
          if (fields(line) != fields(header)) return "a row of another width than the header";
      } else if (ext == ".md") {
        if (!ends_with_newline(text)) return "no final newline";
      } else if (ext == ".png") {
        const std::string signature = "\x89PNG\r\n\x1a\n", iend("\0\0\0\0IEND\xae\x42\x60\x82", 12);
        if (text.rfind(signature, 0) != 0) return "no PNG signature";
        if (text.size() < 20 || text.compare(text.size() - 12, 12, iend) != 0) return "no IEND chunk at the end";
      } else {
        return "a file of unknown kind";
      }
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Every file under a final name is complete; every checkpoint's files are of the step its
// state.json names.
void check_run_dir(const fs::path& root) {
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || test::is_temp_name(e.path().filename().string())) continue;
    INFO(e.path().string());
    CHECK(incomplete(e.path()) == "");
    if (e.path().filename() != train::kStateFile) continue;
    const fs::path dir = e.path().parent_path();
    const std::string step = std::to_string(train::read_checkpoint_state(dir.string()).step);
    CHECK(io::read_safetensors((dir / train::kModelFile).string()).metadata.at("step") == step);
    CHECK(io::read_safetensors((dir / train::kOptimFile).string()).metadata.at("step") == step);
  }
}

// Every output under a final name, by relative path, with the wall times of those that vary removed.
std::map<std::string, std::string> outputs(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || test::is_temp_name(e.path().filename().string())) continue;
    const std::string name = e.path().filename().string();
    std::string text = io::read_text(e.path().string());
    if (name == "summary.json") {
      Json j = Json::parse(text);
      j.erase("wall_seconds");
      j.erase("training_seconds");
      text = j.dump();
    } else if (name == train::kStateFile) {
      Json j = Json::parse(text);
      j["extra"].erase("seconds");
      text = j.dump();
    } else if (name == "metrics.jsonl") {
      std::istringstream in(text);
      text.clear();
      for (std::string line; std::getline(in, line);) {
        Json j = Json::parse(line);
        j.erase("tokens_per_s");
        text += j.dump() + "\n";
      }
    } else if (name == "report.md") {
      std::istringstream in(text);
      text.clear();
      for (std::string line; std::getline(in, line);)
        if (line.rfind("Time:", 0) != 0) text += line + "\n";
    }
    files[fs::relative(e.path(), root).string()] = text;
  }
  return files;
}

// The end of the children's output, for a failure message.
std::string log_tail(const fs::path& log) {
  const std::string text = fs::exists(log) ? io::read_text(log.string()) : "";
  return text.substr(text.size() > 2000 ? text.size() - 2000 : 0);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

TEST_CASE("reproduce with --jobs 2 killed with SIGKILL at 20 moments resumes to an uninterrupted serial run's bits", "[kill][reproduce][e2e]") {
  const fs::path root = test::temp_dir("kill_resume"), ref = root / "uninterrupted", run = root / "killed";
  const fs::path log = root / "vrev.log", config = root / "kill.json";
  write_config(config);
  fs::create_directories(ref);
  fs::create_directories(run);

  // The uninterrupted run, and its progress at the end.
  const auto t0 = Clock::now();
  test::ProgressCounter ref_progress(ref, varies);
  {
    test::Child child(reproduce_args(config, ref, 1), log.string());
    while (!child.exited()) ref_progress.poll(50);
    INFO(log_tail(log));
    REQUIRE(child.exit_code() == 0);
    ref_progress.poll(0);
  }
  const double uninterrupted_s = seconds_since(t0);
  const int64_t versions = ref_progress.count();
  REQUIRE(versions > 2 * kKills);

  // Kill moments: distinct points of progress before the end. Attempt after attempt, the killed
  // run's progress passes each of them in turn and, at its end, equals the uninterrupted run's.
  std::set<int64_t> moments;
  for (uint64_t i = 0; static_cast<int>(moments.size()) < kKills; ++i)
    moments.insert(1 + static_cast<int64_t>(rng::below(kSeed, rng::stream_id("test/kill_resume"), i, versions - 1)));

  const auto t1 = Clock::now();
  test::ProgressCounter run_progress(run, varies);
  int runs = 0, kills = 0;
  for (auto next = moments.begin();;) {
    ++runs;
    test::Child child(reproduce_args(config, run, 2), log.string());
    auto reached = [&] { return next != moments.end() && run_progress.count() >= *next; };
    while (!reached() && !child.exited()) run_progress.poll(20);
    if (reached()) {
      child.kill_and_wait();
      ++kills;
      ++next;
      INFO("after kill " << kills << " at progress " << run_progress.count() << " of " << versions);
      check_run_dir(run);
      continue;
    }
    INFO(log_tail(log));
    REQUIRE(child.exit_code() == 0);
    run_progress.poll(0);
    INFO("completed at progress " << run_progress.count() << " of " << versions << " after " << kills << " kills");
    REQUIRE(next == moments.end());
    break;
  }
  const double killed_s = seconds_since(t1);
  std::printf("kill/resume: uninterrupted run %.1f s (progress %lld); %d kills over %d runs %.1f s\n", uninterrupted_s,
              static_cast<long long>(versions), kills, runs, killed_s);

  check_run_dir(run);
  const auto expected = outputs(ref), got = outputs(run);
  for (const auto& [name, text] : expected) {
    INFO(name);
    REQUIRE(got.count(name));
    const bool same_bits = got.at(name) == text;
    CHECK(same_bits);
  }
  CHECK(got.size() == expected.size());
  fs::remove_all(root);
}
