#pragma once
// What every subcommand shares: option parsing that turns cxxopts errors and --help into the
// CLI's conventions (one-line error and exit 1; help text and exit 0), and the command table.
// A repeated option's values are split by cxxopts at this character; --set values hold commas
// (lists such as finetune.eval_steps=[0,3,6]), so it is one no argument contains.
#define CXXOPTS_VECTOR_DELIMITER '\x1f'
#include <cxxopts.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/settings.h"
#include "experiment/config.h"
#include "kernels/backend.h"
#include "model/gpt.h"
#include "probe/files.h"

namespace vrev::cli {

// Thrown by parse() when --help was given; main prints the text and exits 0.
struct HelpRequested {
  std::string text;
};

// Adds --help, parses, rejects stray positional arguments.
cxxopts::ParseResult parse(cxxopts::Options& options, int argc, char** argv);
// The value of a required option; the error names the flag.
std::string required(const cxxopts::ParseResult& args, const std::string& name);
// The --set key.path=value overrides given (none when absent), and --device's as kernels.device.
std::vector<std::string> overrides(const cxxopts::ParseResult& args);
// --device, the shorthand of kernels.device, on the commands that train on a device; on those that
// only generate from a checkpoint (eval, sample); and on those that run on the CPU only, where
// anything but cpu is a one-line error (KernelConfig::apply).
void add_device_flag(cxxopts::Options& options);
void add_generation_device_flag(cxxopts::Options& options);
void add_cpu_only_device_flag(cxxopts::Options& options);
// The backend for a device: the CPU's, or the GPU's in a CUDA build with a GPU; otherwise a
// one-line error saying why not.
const kernels::Backend& device_backend(kernels::Device device);
// Selects the device's backend for a command that trains with `jobs` units at once (one on a device).
void select_device(kernels::Device device, int jobs = 1);
// Selects the config's CPU kernels and its device's backend.
void apply_kernels(const experiment::KernelConfig& kernels, int jobs = 1);
// apply_kernels, then places the model on the device and sends its parameters there, so that its
// generation runs there (model/cached_forward.h).
void generate_on_device(model::Gpt<float>& model, const experiment::KernelConfig& kernels);
// A flag that sets what config key `key` of a settings struct sets, its default and help taken from
// the key's declaration (as `vrev config` prints it), e.g. add_setting_flag(options, probe::ProbeConfig{},
// "position"): the flag cannot drift from the config.
template <class S>
void add_setting_flag(cxxopts::Options& options, const S& defaults, const std::string& key) {
  const settings::Declaration d = settings::declaration(defaults, key);
  options.add_options()(key, d.help, cxxopts::value<std::string>()->default_value(d.value));
}
// The --jobs option of vrev reproduce and vrev sweep, and its value (>= 1, or an error).
void add_jobs_flag(cxxopts::Options& options);
int jobs(const cxxopts::ParseResult& args);
// An --threads value (0: the cores other work is not using) applied to OpenMP and OpenBLAS.
void apply_threads(int threads);
// Checks that `pretrain` (--pretrain) and `align` (--align) are checkpoints of the world's reference
// phase and its history's last: the two v_rev is estimated between.
void check_probe_checkpoints(const probe::ProbeNames& names, const std::string& pretrain, const std::string& align);
// "--arms a,b" as the override reproduce.arms=["a","b"].
std::string arms_override(const std::string& comma_separated);

using CommandFn = int (*)(int argc, char** argv);
struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
};

int run_version(int argc, char** argv);
int run_config(int argc, char** argv);
int run_init(int argc, char** argv);
int run_grad(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_train(int argc, char** argv);
int run_eval(int argc, char** argv);
int run_compare(int argc, char** argv);
int run_verdicts(int argc, char** argv);
int run_digest(int argc, char** argv);
int run_regress(int argc, char** argv);
int run_sample(int argc, char** argv);
int run_world(int argc, char** argv);
int run_reproduce(int argc, char** argv);
int run_sweep(int argc, char** argv);
int run_capture(int argc, char** argv);
int run_direction(int argc, char** argv);
int run_drift(int argc, char** argv);
int run_first_update(int argc, char** argv);
int run_selftest(int argc, char** argv);

}  // namespace vrev::cli
