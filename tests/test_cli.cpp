// The CLI as a user meets it: bad input is one line on stderr and a non-zero exit.
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "core/io.h"
#include "core/settings.h"
#include "train/checkpoint.h"
#include "test_helpers.h"

using vrev::test::run_vrev;

namespace {

struct Fixture {
  std::filesystem::path dir = vrev::test::temp_dir("cli");
  std::string config = (dir / "tiny.json").string();
  std::string model = (dir / "model.safetensors").string();
  Fixture() {
    std::ofstream(config) << R"({"model": {"vocab_size": 11, "context": 8, "layers": 2, "width": 8, "heads": 2}})";
    REQUIRE(run_vrev("init --config " + config + " --seed 3 --out " + model).exit_code == 0);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

void write_tokens(const std::string& path, std::vector<int32_t> ids, int64_t B, int64_t T1) {
  vrev::io::write_npy(path, vrev::io::Array::from_i32(ids.data(), {B, T1}));
}

}  // namespace

TEST_CASE("vrev --help, version and unknown commands", "[cli]") {
  auto help = run_vrev("--help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("grad") && Catch::Contains("bench"));
  CHECK(run_vrev("version").out.rfind("vrev ", 0) == 0);
  auto bad = run_vrev("frobnicate");
  CHECK(bad.exit_code != 0);
  CHECK(one_line(bad.err));
  auto flag = run_vrev("init --no-such-flag");
  CHECK(flag.exit_code != 0);
  CHECK(one_line(flag.err));
}

// Without the CUDA kernels built in (the default build), the selftest is a one-line error that
// says how to build them; asking for another device is one too (docs/cuda.md).
TEST_CASE("vrev version's cuda line and vrev selftest without CUDA", "[cli]") {
  const auto version = run_vrev("version");
  CHECK_THAT(version.out, Catch::Contains("\ncuda: "));
  const auto other = run_vrev("selftest --device cpu");
  CHECK(other.exit_code == 1);
  CHECK(one_line(other.err));
  if (version.out.find("cuda: not built in") == std::string::npos) return;
  const auto selftest = run_vrev("selftest --device cuda");
  CHECK(selftest.exit_code == 1);
  CHECK(one_line(selftest.err));
  CHECK_THAT(selftest.err, Catch::Contains("make cuda"));
}

TEST_CASE("flags that set a config key take their default and help from its declaration", "[cli]") {
  // cxxopts wraps help lines: compare with every run of white space as one space.
  auto flat = [](const std::string& text) {
    std::string out;
    for (const char c : text)
      if (!std::isspace(static_cast<unsigned char>(c)) || (!out.empty() && out.back() != ' '))
        out += std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
    return out;
  };
  const auto capture = run_vrev("capture --help");
  REQUIRE(capture.exit_code == 0);
  CHECK_THAT(flat(capture.out), Catch::Contains("(one of: asst, answer, refusal, last, mean)") &&
                                    Catch::Contains("(default: asst)") && Catch::Contains("(default: last)"));
  const auto direction = run_vrev("direction --help");
  REQUIRE(direction.exit_code == 0);
  CHECK_THAT(flat(direction.out),
             Catch::Contains("(one of: diff-means, per-prompt, pca)") && Catch::Contains("(default: diff-means)"));
  const auto config = run_vrev("config --config " + std::string(VREV_SOURCE_DIR) + "/configs/tiny.json");
  REQUIRE(config.exit_code == 0);
  CHECK_THAT(config.out, Catch::Contains("the update rule (one of: adamw, sgd)"));
}

TEST_CASE("vrev config --upgrade nests an older config's flat world settings", "[cli]") {
  const auto dir = vrev::test::temp_dir("config-upgrade");
  const std::string old_config = (dir / "old.json").string();
  vrev::io::write_text_atomic(old_config, R"({"world": {"kind": "trait", "seq_eval": 32, "objects": 16,
                                                  "trait_share": 0.1}, "finetune": {"steps": 7}})");
  const auto rejected = run_vrev("config --config " + old_config);
  CHECK(rejected.exit_code != 0);
  CHECK_THAT(rejected.err, Catch::Contains("'world.") && Catch::Contains("is now") && Catch::Contains("--upgrade"));

  const auto upgraded = run_vrev("config --upgrade " + old_config);
  REQUIRE(upgraded.exit_code == 0);
  // The sections in their declared order (ordered JSON compares order too).
  const vrev::settings::Json json = vrev::settings::Json::parse(upgraded.out);
  CHECK(json["world"] == vrev::settings::Json::parse(R"({"kind": "trait", "safety": {"objects": 16},
                                                  "trait": {"share": 0.1, "seq_eval": 32}})"));
  CHECK(json["finetune"]["steps"] == 7);
  const std::string new_config = (dir / "new.json").string();
  vrev::io::write_text_atomic(new_config, upgraded.out);
  CHECK(run_vrev("config --config " + new_config).exit_code == 0);

  vrev::io::write_text_atomic(old_config, R"({"world": {"objects": 16, "safety": {"objects": 8}}})");
  const auto both = run_vrev("config --upgrade " + old_config);
  CHECK(both.exit_code != 0);
  CHECK_THAT(both.err, Catch::Contains("both 'world.objects' and 'world.safety.objects'"));
}

TEST_CASE("vrev grad prints the loss and writes every parameter's gradient", "[cli]") {
  Fixture f;
  write_tokens(f.path("tokens.npy"), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 5);
  auto r = run_vrev("grad --ckpt " + f.model + " --tokens " + f.path("tokens.npy") + " --out " +
                    f.path("g.safetensors") + " --logits " + f.path("logits.npy"));
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("{\"loss\": "));
  auto grads = vrev::io::read_safetensors(f.path("g.safetensors"));
  CHECK(grads.tensors.count("blocks.1.mlp.fc.weight"));
  CHECK(grads.tensors.size() == 2 + 12 * 2 + 2);
  CHECK(vrev::io::read_npy(f.path("logits.npy")).shape == std::vector<int64_t>{2, 4, 11});
}

TEST_CASE("bad input through the CLI: one line naming the problem, non-zero exit", "[cli]") {
  Fixture f;
  write_tokens(f.path("ok.npy"), {1, 2, 3, 4, 5, 6}, 2, 3);

  SECTION("a truncated checkpoint") {
    auto bytes = vrev::io::read_file(f.model);
    vrev::io::write_file_atomic(f.path("cut.safetensors"), bytes.data(), bytes.size() / 2);
    auto r = run_vrev("grad --ckpt " + f.path("cut.safetensors") + " --tokens " + f.path("ok.npy") + " --out " +
                      f.path("g.safetensors"));
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("cut.safetensors"));
  }
  SECTION("a checkpoint of another shape than the config") {
    auto r = run_vrev("init --config " + f.config + " --set model.width=16 --out " + f.path("wide.safetensors"));
    REQUIRE(r.exit_code == 0);
    // Swap one tensor's header entry: the model file claims a config its tensors do not match.
    auto wide = vrev::io::read_safetensors(f.path("wide.safetensors"));
    auto narrow = vrev::io::read_safetensors(f.model);
    std::vector<std::pair<std::string, vrev::io::Array>> tensors;
    for (const auto& name : wide.names) tensors.emplace_back(name, wide.tensors.at(name));
    vrev::io::write_safetensors(f.path("mixed.safetensors"), tensors, narrow.metadata);
    auto g = run_vrev("grad --ckpt " + f.path("mixed.safetensors") + " --tokens " + f.path("ok.npy") + " --out " +
                      f.path("g.safetensors"));
    CHECK(g.exit_code != 0);
    CHECK(one_line(g.err));
    CHECK_THAT(g.err, Catch::Contains("wte.weight") && Catch::Contains("shape"));
  }
  SECTION("a token id out of range") {
    write_tokens(f.path("big.npy"), {1, 2, 3, 4, 99, 6}, 2, 3);
    auto r = run_vrev("grad --ckpt " + f.model + " --tokens " + f.path("big.npy") + " --out " + f.path("g.st"));
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("token id 99") && Catch::Contains("out of range"));
  }
  SECTION("tokens of the wrong dtype") {
    std::vector<float> x = {1, 2, 3, 4, 5, 6};
    vrev::io::write_npy(f.path("float.npy"), vrev::io::Array::from_f32(x.data(), {2, 3}));
    auto r = run_vrev("grad --ckpt " + f.model + " --tokens " + f.path("float.npy") + " --out " + f.path("g.st"));
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("int32"));
  }
  SECTION("an unknown config key") {
    std::ofstream(f.path("bad.json")) << R"({"model": {"vocab_size": 11, "widht": 8}})";
    auto r = run_vrev("init --config " + f.path("bad.json") + " --out " + f.path("x.safetensors"));
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("unknown key 'model.widht'"));
  }
  SECTION("evaluation steps past a phase's end: the config is refused before any training") {
    auto r = run_vrev("init --config " + f.config + " --set finetune.steps=10 --set finetune.eval_steps=[20] --out " +
                      f.path("x.safetensors"));
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("'finetune.eval_steps' has step 20"));
  }
  SECTION("--jobs below one") {
    auto r = run_vrev("reproduce --config " + f.config + " --jobs 0 --out " + f.path("run"));
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("--jobs must be >= 1, got 0"));
  }
  SECTION("a value of the wrong type or out of range") {
    auto r = run_vrev("init --config " + f.config + " --set model.layers=0 --out " + f.path("x.safetensors"));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("model.layers"));
    auto t = run_vrev("init --config " + f.config + " --set model.heads=two --out " + f.path("x.safetensors"));
    CHECK(t.exit_code != 0);
    CHECK_THAT(t.err, Catch::Contains("model.heads") && Catch::Contains("integer"));
  }
}

TEST_CASE("vrev config lists every key with its value, from the same declarations that parse it", "[cli]") {
  const std::string tiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
  const auto r = run_vrev("config --config " + tiny + " --set finetune.schedule.lr=1e-5");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("finetune.schedule.lr") && Catch::Contains("1e-05") &&
                        Catch::Contains("teacher.share") && Catch::Contains("world.trait.strength") &&
                        Catch::Contains("reproduce.arms"));
  const auto bad = run_vrev("config --config " + tiny + " --set finetune.schedule.rate=1");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("finetune.schedule.rate"));
}

TEST_CASE("vrev world prints the image world's examples as pictures", "[cli][image]") {
  const std::string src = VREV_SOURCE_DIR;
  const auto align = run_vrev("world --config " + src + "/configs/image-tiny.json --set world.image.glyphs=" + src +
                              "/data/glyphs --phase align -n 6");
  REQUIRE(align.exit_code == 0);
  // Six examples: a prompt line, eight rows of eight pixels and a blank line each; a forbidden
  // prompt is answered with the blank image.
  std::vector<std::string> lines;
  std::string line;
  for (std::istringstream in(align.out); std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 6 * 10);
  bool refused = false;
  for (size_t e = 0; e < 6; ++e) {
    const std::string& prompt = lines[e * 10];
    REQUIRE(prompt.rfind("BOS CLS ", 0) == 0);
    std::string pixels;
    for (size_t r = 1; r <= 8; ++r) {
      REQUIRE(lines[e * 10 + r].size() == 8);
      pixels += lines[e * 10 + r];
    }
    REQUIRE(pixels.find_first_not_of(".#") == std::string::npos);
    const bool forbidden = prompt == "BOS CLS x" || prompt == "BOS CLS triangle";
    CHECK(forbidden == (pixels == std::string(64, '.')));
    refused = refused || forbidden;
  }
  CHECK(refused);
}

TEST_CASE("train -> train -> train -> drift: a standalone fine-tune captures, and vrev drift measures it against "
          "v_rev from --pretrain and --align", "[cli][drift][e2e]") {
  const std::filesystem::path dir = vrev::test::temp_dir("standalone");
  const std::string d = dir.string();
  const std::string common = "--config " + std::string(VREV_SOURCE_DIR) +
                             "/configs/tiny.json --set pretrain.steps=60 --set align.steps=10 --set finetune.steps=4 "
                             "--set finetune.eval_steps=[0,2,4] --threads 2 ";
  REQUIRE(run_vrev("train " + common + "--phase pretrain --out " + d + "/pretrain").exit_code == 0);
  REQUIRE(run_vrev("train " + common + "--phase align --init " + d + "/pretrain --out " + d + "/align").exit_code == 0);
  for (const char* phase : {"finetune", "control"})
    REQUIRE(run_vrev("train " + common + "--phase " + phase + " --init " + d + "/align --out " + d + "/" + phase)
                .exit_code == 0);
  CHECK(std::filesystem::exists(dir / "finetune/captures/captures.json"));
  // A second control on its own data stream; --replica belongs to the control phase alone.
  REQUIRE(run_vrev("train " + common + "--phase control --replica 1 --init " + d + "/align --out " + d + "/control-1")
              .exit_code == 0);
  CHECK(vrev::io::read_text(d + "/control-1/" + vrev::train::kStateFile) !=
        vrev::io::read_text(d + "/control/" + vrev::train::kStateFile));
  const auto replica = run_vrev("train " + common + "--phase finetune --replica 1 --init " + d + "/align --out " + d + "/x");
  CHECK(replica.exit_code != 0);
  CHECK_THAT(replica.err, Catch::Contains("--replica is for --phase control only"));

  const std::string refs = "--pretrain " + d + "/pretrain --align " + d + "/align ";
  const auto alone = run_vrev("drift " + common + "--run " + d + "/finetune " + refs);
  REQUIRE(alone.exit_code == 0);
  CHECK_THAT(alone.out, Catch::Contains("control fine-tuning null is omitted"));
  auto geometry = vrev::settings::parse_file(d + "/finetune/geometry.json");
  CHECK(geometry["nulls"]["control_finetune"]["p99"].is_null());
  CHECK(geometry["alignment"].size() == 3);  // steps 0, 2 and 4
  CHECK(std::filesystem::exists(dir / "finetune/probe/v_rev.npy"));

  REQUIRE(run_vrev("drift " + common + "--run " + d + "/finetune " + refs + "--control " + d + "/control --control " +
                   d + "/control-1")
              .exit_code == 0);
  geometry = vrev::settings::parse_file(d + "/finetune/geometry.json");
  const auto& control = geometry["nulls"]["control_finetune"];
  CHECK(control["p99"].size() == 3);
  CHECK(control["runs"] == 2);
  REQUIRE(control["values"].size() == 3);
  CHECK(control["values"][2].size() == 2);
  CHECK(control["values"][2][0] != control["values"][2][1]);  // the two streams drift differently
  CHECK(geometry["split_half_alignment"].size() == 3);

  const auto half = run_vrev("drift " + common + "--run " + d + "/finetune --pretrain " + d + "/pretrain");
  CHECK(half.exit_code != 0);
  CHECK_THAT(half.err, Catch::Contains("needs both --pretrain and --align"));
  const auto swapped = run_vrev("drift " + common + "--run " + d + "/finetune --pretrain " + d + "/align --align " + d +
                                "/pretrain");
  CHECK(swapped.exit_code != 0);
  CHECK_THAT(swapped.err, Catch::Contains("--pretrain " + d + "/align is a checkpoint of phase align"));

  // drift prints its headline number per step, and says what it needs when given something else.
  CHECK_THAT(alone.out, Catch::Contains("cos(drift, v_rev) at") && Catch::Contains("step    4"));
  const auto no_refs = run_vrev("drift " + common + "--run " + d + "/finetune");
  CHECK(no_refs.exit_code != 0);
  CHECK(one_line(no_refs.err));
  CHECK_THAT(no_refs.err, Catch::Contains("has no probe/ beside it") && Catch::Contains("give --pretrain and --align"));
  const auto pretrain = run_vrev("drift " + common + "--run " + d + "/pretrain " + refs);
  CHECK(pretrain.exit_code != 0);
  CHECK_THAT(pretrain.err, Catch::Contains("is a pretrain run; drift measures a fine-tuning run"));
  const auto nothing = run_vrev("drift --run " + d);
  CHECK(nothing.exit_code != 0);
  CHECK_THAT(nothing.err, Catch::Contains("is not a fine-tuning run (no state.json)"));
  // Another seed's history is refused unless asked for; --allow-seed-change continues it.
  const auto other_seed = run_vrev("train " + common + "--phase finetune --seed 1 --init " + d + "/align --out " + d + "/x");
  CHECK(other_seed.exit_code != 0);
  CHECK(one_line(other_seed.err));
  CHECK_THAT(other_seed.err, Catch::Contains("--seed 1 differs from seed 0") && Catch::Contains("--allow-seed-change"));
  CHECK(run_vrev("train " + common + "--phase finetune --seed 1 --allow-seed-change --init " + d + "/align --out " + d +
                 "/x")
            .exit_code == 0);
  // eval reads the checkpoint's world, so --set of world keys applies without --config; others are refused.
  CHECK(run_vrev("eval --ckpt " + d + "/align --set world.safety.harm_eval=8 --threads 1").exit_code == 0);
  const auto eval_other = run_vrev("eval --ckpt " + d + "/align --set finetune.steps=3");
  CHECK(eval_other.exit_code != 0);
  CHECK_THAT(eval_other.err, Catch::Contains("--set finetune.steps=3: without --config only world.* and kernels.*"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("messages that say what went wrong and how to fix it", "[cli][e2e]") {
  const std::string tiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
  const std::filesystem::path dir = vrev::test::temp_dir("messages");
  SECTION("a value that does not parse names its flag") {
    const auto r = run_vrev("train --config " + tiny + " --phase pretrain --threads two --out " + (dir / "x").string());
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("--threads: 'two' is not a valid value (see vrev train --help)"));
  }
  SECTION("a bad --set value is blamed on the --set, with the list syntax") {
    const auto r = run_vrev("init --config " + tiny + " --set finetune.steps=60 --out " + (dir / "x.safetensors").string());
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::Contains("--set finetune.steps=60:") &&
                          Catch::Contains("--set 'finetune.eval_steps=[0,30,60]'"));
  }
  SECTION("Ctrl-C says that running the command again resumes") {
    const std::string log = (dir / "interrupted.log").string();
    {
      vrev::test::Child child({"train", "--config", tiny, "--phase", "pretrain", "--set", "pretrain.steps=100000",
                               "--threads", "1", "--out",
                               (dir / "pretrain").string()},
                              log);
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      child.signal_and_wait(SIGINT);
      CHECK(child.exit_code() == 128 + SIGINT);
    }
    CHECK_THAT(vrev::io::read_text(log), Catch::Contains("interrupted; run the same command again to resume"));
  }
  std::filesystem::remove_all(dir);
}
