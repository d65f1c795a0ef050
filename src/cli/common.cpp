// Option parsing shared by the subcommands.
#include "cli/common.h"

#include <sstream>
#include <tuple>

#include "kernels/cpu/kernels.h"
#include "train/checkpoint.h"
#ifdef VREV_HAS_CUDA
#include "kernels/cuda/device.h"
#endif

namespace vrev::cli {

namespace {

// The flag a value that failed to parse was given to ("--threads two" or "--threads=two"): cxxopts
// names only the value.
std::string flag_of_value(int argc, char** argv, const std::string& value) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos && arg.substr(eq + 1) == value) return arg.substr(0, eq);
    if (arg.rfind("-", 0) == 0 && i + 1 < argc && value == argv[i + 1]) return arg;
  }
  return "";
}

}  // namespace

cxxopts::ParseResult parse(cxxopts::Options& options, int argc, char** argv) {
  options.add_options()("h,help", "show this help");
  try {
    cxxopts::ParseResult result = options.parse(argc, argv);
    if (result.count("help")) throw HelpRequested{options.help()};
    if (!result.unmatched().empty()) VREV_FAIL("unexpected argument '", result.unmatched().front(), "'");
    return result;
  } catch (const cxxopts::exceptions::incorrect_argument_type& e) {
    // "Argument 'two' failed to parse", the quotes ASCII or UTF-8 (three bytes each).
    const std::string what = e.what(), head = "Argument ", tail = " failed to parse";
    std::string value;
    if (what.size() > head.size() + tail.size()) {
      value = what.substr(head.size(), what.size() - head.size() - tail.size());
      const size_t quote = value.rfind("\xe2\x80\x98", 0) == 0 ? 3 : 1;
      value = value.size() >= 2 * quote ? value.substr(quote, value.size() - 2 * quote) : "";
    }
    const std::string flag = flag_of_value(argc, argv, value);
    VREV_CHECK(flag.empty(), flag, ": '", value, "' is not a valid value (see ", options.program(), " --help)");
    VREV_FAIL(e.what());
  } catch (const cxxopts::exceptions::exception& e) {
    VREV_FAIL(e.what());
  }
}

std::string required(const cxxopts::ParseResult& args, const std::string& name) {
  VREV_CHECK(args.count(name), "missing required option --", name);
  return args[name].as<std::string>();
}

std::vector<std::string> overrides(const cxxopts::ParseResult& args) {
  std::vector<std::string> sets =
      args.count("set") ? args["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (args.count("device")) sets.push_back("kernels.device=" + args["device"].as<std::string>());
  return sets;
}

void add_device_flag(cxxopts::Options& options) {
  options.add_options()("device",
                        "where training and its evaluations run: cpu, or cuda (a GPU; same bits; kernels.device, "
                        "docs/cuda.md). Captures and checkpoints read a copy on the host",
                        cxxopts::value<std::string>());
}

void add_generation_device_flag(cxxopts::Options& options) {
  options.add_options()("device",
                        "where the model's forward passes run: cpu, or cuda (a GPU; same bits; kernels.device, "
                        "docs/cuda.md)",
                        cxxopts::value<std::string>());
}

void add_cpu_only_device_flag(cxxopts::Options& options) {
  options.add_options()("device", "cpu: this command runs on the CPU (cuda is not supported here yet)",
                        cxxopts::value<std::string>());
}

const kernels::Backend& device_backend(kernels::Device device) {
  if (device == kernels::Device::cpu) return kernels::cpu_backend();
#ifndef VREV_HAS_CUDA
  VREV_FAIL("this vrev was built without CUDA: build it with `make cuda` (docs/cuda.md)");
#else
  const kernels::cuda::Devices devices = kernels::cuda::devices();
  VREV_CHECK(devices.error.empty(), "no CUDA device: ", devices.error);
  VREV_CHECK(!devices.names.empty(), "no CUDA device: the driver reports none");
  return kernels::cuda::backend();
#endif
}

void select_device(kernels::Device device, int jobs) {
  VREV_CHECK(jobs == 1 || device == kernels::Device::cpu, "--jobs ", jobs, " with kernels.device=",
             settings::name_of(device),
             ": a device trains one unit at a time (its kernels share one scratch buffer): use --jobs 1, or "
             "kernels.device=cpu to run units at once");
  kernels::select_backend(device_backend(device));
}

void apply_kernels(const experiment::KernelConfig& kernels, int jobs) {
  kernels.select_cpu_kernels();
  select_device(kernels.device, jobs);
}

void generate_on_device(model::Gpt<float>& model, const experiment::KernelConfig& kernels) {
  apply_kernels(kernels);
  model.place_on(kernels::selected_backend());
  model.upload();
}

void check_probe_checkpoints(const probe::ProbeNames& names, const std::string& pretrain, const std::string& align) {
  for (const auto& [dir, flag, phase] : {std::tuple{pretrain, "--pretrain", names.reference_phase},
                                         std::tuple{align, "--align", names.last_phase}}) {
    const std::string found = train::read_checkpoint_state(dir).phase;
    VREV_CHECK(found == phase, flag, " ", dir, " is a checkpoint of phase ", found, "; v_rev needs the ", phase,
               " checkpoint here");
  }
}

std::string arms_override(const std::string& comma_separated) {
  std::string list;
  std::stringstream in(comma_separated);
  for (std::string arm; std::getline(in, arm, ',');) list += (list.empty() ? "\"" : ",\"") + arm + "\"";
  return "reproduce.arms=[" + list + "]";
}

void add_jobs_flag(cxxopts::Options& options) {
  options.add_options()("jobs",
                        "units (seeds' chains, fine-tunes, geometries) run at once, the --threads split among them "
                        "(at least one each); the same output bits as --jobs 1",
                        cxxopts::value<int>()->default_value("1"));
}

int jobs(const cxxopts::ParseResult& args) {
  const int n = args["jobs"].as<int>();
  VREV_CHECK(n >= 1, "--jobs must be >= 1, got ", n);
  return n;
}

void apply_threads(int threads) {
  VREV_CHECK(threads >= 0, "--threads must be >= 0 (0: the cores other work is not using), got ", threads);
  kernels::cpu::set_num_threads(threads);
}

}  // namespace vrev::cli
