#!/usr/bin/env python3
"""Checks `vrev grad` against the independent float64 NumPy GPT in gpt_numpy.py.

  /usr/bin/python3 tests/reference/check_vrev.py --vrev build/vrev

Two cases: the fresh `vrev init` model, and the same model with every parameter
perturbed (non-trivial LayerNorm weights, non-zero biases, sharper attention) written
back as a checkpoint, so that parameters which are zero or one at init are exercised
in the forward pass too. For each case: logits, loss and every parameter's gradient.
The reference's own backward is checked against central finite differences first.
Ends with "N passed, M failed" and exits non-zero on any failure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    sys.stderr.write("check_vrev.py: numpy is not installed for %s; install python3-numpy "
                     "(apt-get install -y python3-numpy, or `make deps`)\n" % sys.executable)
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt_numpy as g  # noqa: E402

CONFIG = {"vocab_size": 23, "context": 9, "layers": 2, "width": 12, "heads": 3}
B, T = 3, 8            # tokens (B, T+1); T < context so the last wpe row is unused
INIT_SEED = 1234

# float32 engine vs float64 reference
LOGITS_TOL = 1e-4      # max |diff| / max |logits|
LOSS_TOL = 1e-5        # relative
GRAD_TOL = 1e-4        # max |diff| / max |grad|, per parameter
FD_TOL = 1e-6          # reference backward vs central differences (float64)


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def row(self, case, what, value, tol):
        ok = bool(np.isfinite(value)) and value <= tol
        self.passed += ok
        self.failed += not ok
        print("%-9s %-34s %11.3e %9.1e  %s" % (case, what, value, tol, "ok" if ok else "FAIL"))
        return ok


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write("command failed (%d): %s\n%s%s" % (proc.returncode, " ".join(cmd),
                                                            proc.stdout, proc.stderr))
        sys.exit(1)
    return proc.stdout


def finite_difference_check(report, P, cfg, tokens, mask, rng):
    """The reference's analytic gradient against central differences, a few entries of
    every parameter (the largest-gradient entry plus random ones)."""
    _, _, G = g.loss_and_grads(P, cfg, tokens, mask)
    h = 1e-5
    for name in g.param_names(cfg["layers"]):
        p, grad = P[name], G[name]
        picks = [np.unravel_index(np.argmax(np.abs(grad)), grad.shape)]
        picks += [tuple(rng.integers(0, s) for s in p.shape) for _ in range(2)]
        worst = 0.0
        for idx in picks:
            old = p[idx]
            p[idx] = old + h
            lp = g.loss_only(P, cfg, tokens, mask)
            p[idx] = old - h
            lm = g.loss_only(P, cfg, tokens, mask)
            p[idx] = old
            fd = (lp - lm) / (2 * h)
            worst = max(worst, abs(fd - grad[idx]) / max(np.abs(grad).max(), 1e-12))
        report.row("fd", name, worst, FD_TOL)


def compare_with_vrev(report, case, vrev, ckpt, tokens, mask, tmp):
    grads_path = os.path.join(tmp, case + "_grads.safetensors")
    logits_path = os.path.join(tmp, case + "_logits.npy")
    out = run([vrev, "grad", "--ckpt", ckpt, "--tokens", os.path.join(tmp, "tokens.npy"),
               "--mask", os.path.join(tmp, "mask.npy"), "--out", grads_path,
               "--logits", logits_path])
    vloss = json.loads(out.strip().splitlines()[-1])["loss"]
    vlogits = np.load(logits_path).astype(np.float64)
    vgrads, _ = g.read_safetensors(grads_path)

    P, cfg = g.load_model(ckpt)
    loss, logits, G = g.loss_and_grads(P, cfg, tokens, mask)

    if vlogits.shape != logits.shape:
        report.row(case, "logits shape %s != %s" % (vlogits.shape, logits.shape), np.inf, 0)
    else:
        report.row(case, "logits (max|d|/max|x|=%.1e)" % np.abs(logits).max(),
                   np.abs(vlogits - logits).max() / np.abs(logits).max(), LOGITS_TOL)
    report.row(case, "loss (%.6f vs %.6f)" % (vloss, loss), abs(vloss - loss) / abs(loss),
               LOSS_TOL)
    for name in g.param_names(cfg["layers"]):
        if name not in vgrads or vgrads[name].shape != G[name].shape:
            report.row(case, name + " missing or misshapen", np.inf, 0)
            continue
        scale = np.abs(G[name]).max()
        diff = np.abs(vgrads[name].astype(np.float64) - G[name]).max()
        report.row(case, name, diff / scale if scale > 0 else diff, GRAD_TOL)
    extra = sorted(set(vgrads) - set(g.param_names(cfg["layers"])))
    if extra:
        report.row(case, "unexpected tensors " + ",".join(extra), np.inf, 0)


def perturb(P, rng):
    """Every parameter moved off its init value: LN weights ~1 +- 0.2, biases ~0.1,
    weights with extra noise and a larger qkv so attention is far from uniform."""
    Q = {}
    for name, p in P.items():
        if name.endswith("ln1.weight") or name.endswith("ln2.weight") or name == "ln_f.weight":
            Q[name] = 1.0 + 0.2 * rng.standard_normal(p.shape)
        elif name.endswith("bias"):
            Q[name] = 0.1 * rng.standard_normal(p.shape)
        elif name.endswith("attn.qkv.weight"):
            Q[name] = 8.0 * p + 0.1 * rng.standard_normal(p.shape)
        else:
            Q[name] = 2.0 * p + 0.05 * rng.standard_normal(p.shape)
    return Q


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vrev", required=True, help="path to the vrev binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    vrev = os.path.abspath(args.vrev)
    rng = np.random.default_rng(20240611)

    tmp = tempfile.mkdtemp(prefix="vrev_numpy_ref_")
    config_path = os.path.join(tmp, "config.json")
    with open(config_path, "w") as f:
        json.dump({"model": CONFIG}, f)
    init_ckpt = os.path.join(tmp, "init.safetensors")
    run([vrev, "init", "--config", config_path, "--seed", str(INIT_SEED), "--out", init_ckpt])

    tokens = rng.integers(0, CONFIG["vocab_size"], size=(B, T + 1)).astype(np.int32)
    mask = np.ones((B, T), dtype=np.float32)
    mask[0, :3] = 0.0          # a masked-out prompt
    mask[1, 5] = 0.0
    mask[2, 2] = 0.5           # fractional weights
    mask[2, 6] = 2.0
    np.save(os.path.join(tmp, "tokens.npy"), tokens)
    np.save(os.path.join(tmp, "mask.npy"), mask)

    # the perturbed model, written with the init checkpoint's metadata
    tensors, metadata = g.read_safetensors(init_ckpt)
    P0, cfg = g.load_model(init_ckpt)
    for key in ("vocab_size", "context", "layers", "width", "heads"):
        assert cfg[key] == CONFIG[key], "config in checkpoint: %s" % cfg
    P1 = perturb(P0, rng)
    pert_ckpt = os.path.join(tmp, "perturbed.safetensors")
    g.write_safetensors(pert_ckpt, {n: P1[n].astype(np.float32) for n in tensors}, metadata)

    report = Report()
    print("%-9s %-34s %11s %9s" % ("case", "check", "rel.err", "tol"))
    P1_64, _ = g.load_model(pert_ckpt)
    finite_difference_check(report, P1_64, cfg, tokens.astype(np.int64),
                            mask.astype(np.float64), rng)
    compare_with_vrev(report, "init", vrev, init_ckpt, tokens, mask, tmp)
    compare_with_vrev(report, "perturbed", vrev, pert_ckpt, tokens, mask, tmp)

    if args.keep:
        print("kept", tmp)
    else:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)
    print("%d passed, %d failed" % (report.passed, report.failed))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
