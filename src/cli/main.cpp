// vrev's entry point: dispatches `vrev <command>` and turns every error into one line on stderr
// and a non-zero exit.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cli/common.h"
#include "core/communicator.h"
#include "core/heap.h"

namespace {

using vrev::cli::Command;

const Command kCommands[] = {
    {"reproduce", "the paper's main track: every phase, arm, geometry and null, then a report", vrev::cli::run_reproduce},
    {"sweep", "the main track over a grid of one or two settings, with a summary, table and plots", vrev::cli::run_sweep},
    {"capture", "activations of a checkpoint at one site over a probe set (.npy)", vrev::cli::run_capture},
    {"direction", "a direction between two checkpoints' activations, e.g. v_rev (.npy)", vrev::cli::run_direction},
    {"drift", "recompute the geometry and nulls of a fine-tuning run", vrev::cli::run_drift},
    {"compare", "two reproduce runs side by side: settings that differ, every metric per seed, identical bits",
     vrev::cli::run_compare},
    {"verdicts", "a reproduce run's verdicts, tested over seeds, as Markdown (or check a file quotes them)",
     vrev::cli::run_verdicts},
    {"digest", "a reproduce run's result digests (SHA-256), and whether they match the published result",
     vrev::cli::run_digest},
    {"regress", "the return of the decision against the drift along v_rev and the distance moved, over runs",
     vrev::cli::run_regress},
    {"first-update", "the first fine-tuning step's drift along v_rev, parameter group by group",
     vrev::cli::run_first_update},
    {"train", "run one phase of a world's history, or finetune or control (vrev train --help lists them)",
     vrev::cli::run_train},
    {"eval", "behaviour metrics of a checkpoint as JSON", vrev::cli::run_eval},
    {"sample", "complete a prompt written in token names", vrev::cli::run_sample},
    {"world", "print example sequences of a phase", vrev::cli::run_world},
    {"init", "write a freshly initialised model", vrev::cli::run_init},
    {"grad", "loss and every parameter gradient for given tokens (to check against another implementation)",
     vrev::cli::run_grad},
    {"bench", "time full training steps: ms/step, tokens/s, MFU, peak RSS", vrev::cli::run_bench},
    {"selftest", "every CUDA kernel on the GPU against the CPU kernel, bit for bit (--device cuda)",
     vrev::cli::run_selftest},
    {"config", "every config key: its value in a config and what it means", vrev::cli::run_config},
    {"version", "print the version", vrev::cli::run_version},
};

// Ctrl-C or a kill: every file vrev writes is written whole (atomically), so a run stopped
// anywhere resumes to the same bits. Say so, then die of the signal as the shell expects.
extern "C" void on_interrupt(int sig) {
  static const char kMessage[] = "\nvrev: interrupted; run the same command again to resume where it stopped\n";
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void print_usage() {
  std::printf(
      "vrev: a from-scratch transformer engine for studying fine-tuning reversion\n\n"
      "usage: vrev <command> [options]      (vrev <command> --help for its options)\n\ncommands:\n");
  for (const Command& c : kCommands) std::printf("  %-12s %s\n", c.name, c.summary);
}

}  // namespace

// An error ends the process with one line on stderr. Under mpirun it ends the whole job: the other
// ranks may be waiting for this one at a barrier or a gather, and would otherwise wait forever.
int main(int argc, char** argv) {
  vrev::heap::keep_freed_memory();
  const vrev::comm::Session session(argc, argv);
  const vrev::comm::Communicator& world = vrev::comm::Communicator::world();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_usage();
    return argc < 2 ? 1 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) return vrev::cli::run_version(argc - 1, argv + 1);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name)) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const vrev::cli::HelpRequested& h) {
      std::fputs(h.text.c_str(), stdout);
      return 0;
    } catch (const std::exception& e) {
      std::string message = e.what();  // one line, whatever the library wrote
      for (char& ch : message)
        if (ch == '\n') ch = ' ';
      if (world.size() > 1) {
        std::fprintf(stderr, "vrev %s: error on rank %d of %d: %s\n", c.name, world.rank(), world.size(),
                     message.c_str());
        std::fflush(stderr);
        vrev::comm::abort_job(1);
      }
      std::fprintf(stderr, "vrev %s: error: %s\n", c.name, message.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "vrev: error: unknown command '%s' (see vrev --help)\n", argv[1]);
  return 1;
}
