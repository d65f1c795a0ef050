#!/usr/bin/env python3
"""`make bench`: one table of training speed, vrev and its peers measured in the same run.

  python3 tests/reference/bench_table.py --vrev build/vrev [--sizes tiny,small,medium]
                                         [--threads 2] [--steps 20] [--json FILE]

For every size, `vrev bench --json` times full training steps with vrev's deterministic GEMM and
with OpenBLAS's sgemm, and measures the best square sgemm either reaches here: the peak every
row's share is against. Then each peer present on this machine runs the same model, batch and
thread count:
  - PyTorch eager (tests/reference/bench_torch.py), when a python3 here imports torch
    (Debian: apt-get install python3-torch); its OpenMP threads wait passively, so they do not
    spin against its BLAS's.
A peer that is absent is named under the table, never an error: peers are measurement tools,
not dependencies. GFLOP/s counts the same model FLOPs for every row (vrev's count: 6 per
parameter per token for the products, plus causal attention).
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd, env=None):
    """The last line of a command's output, as JSON; raises with its stderr when it fails."""
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), out.returncode, out.stderr.strip()))
    return json.loads(out.stdout.strip().splitlines()[-1])


def torch_python():
    """A python3 that imports torch, or None."""
    for exe in ("/usr/bin/python3", sys.executable):
        if exe and os.path.exists(exe) and subprocess.run([exe, "-c", "import torch"],
                                                          capture_output=True).returncode == 0:
            return exe
    return None


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vrev", required=True, help="the vrev binary")
    ap.add_argument("--sizes", default="tiny,small,medium")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--json", help="also write every measurement here")
    args = ap.parse_args()
    sizes = args.sizes.split(",")
    for s in sizes:
        if s not in ("tiny", "small", "medium"):
            sys.exit("bench_table.py: unknown size '%s' (tiny, small, medium)" % s)

    torch_exe = torch_python()
    peer_env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    rows, record = [], []
    for size in sizes:
        print("measuring %s ..." % size, file=sys.stderr, flush=True)
        v = run_json([args.vrev, "bench", "--model", size, "--steps", str(args.steps),
                      "--threads", str(args.threads), "--json"])
        peak, gflop = v["sgemm_peak_gflops"], v["model_gflop_per_step"]
        results = [(r["gemm"], r["ms_per_step"], r["tokens_per_s"]) for r in v["runs"]]
        record.append(v)
        if torch_exe:
            t = run_json([torch_exe, os.path.join(HERE, "bench_torch.py"), "--model", size,
                          "--steps", str(args.steps), "--threads", str(args.threads), "--json"], env=peer_env)
            results.append(("PyTorch %s eager" % t["torch"], t["ms_per_step"], t["tokens_per_s"]))
            record.append(t)
        for name, ms, tps in results:
            gflops = gflop / (ms / 1e3)
            rows.append((size, name, ms, tps, gflops, gflops / peak, peak))

    print("Training speed, %s, %s, %d cores, %d threads, OPENBLAS_CORETYPE=%s"
          % (datetime.date.today().isoformat(), cpu_name(), os.cpu_count(), args.threads,
             os.environ.get("OPENBLAS_CORETYPE", "(unset)")))
    print()
    print("| size | implementation | ms/step | tokens/s | GFLOP/s | share of sgemm peak |")
    print("|---|---|---|---|---|---|")
    for size, name, ms, tps, gflops, share, peak in rows:
        print("| %s | %s | %.1f | %.0f | %.1f | %.0f%% of %.0f |" % (size, name, ms, tps, gflops, 100 * share, peak))
    print()
    print("vrev/<isa>: vrev's deterministic GEMM; openblas: vrev with OpenBLAS's sgemm (results per machine).")
    if not torch_exe:
        print("PyTorch eager: not measured, no python3 here imports torch (apt-get install python3-torch).")
    print("llm.c: not measured; its CPU trainer (train_gpt2.c) starts from a GPT-2 checkpoint file, not these sizes.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, ValueError) as e:  # a missing binary, a failed run, bad output
        sys.exit("bench_table.py: %s" % e)
