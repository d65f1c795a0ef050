#!/usr/bin/env python3
"""PyTorch eager baseline for `vrev bench` (a measurement, not a project dependency).

  /usr/bin/python3 tests/reference/bench_torch.py --model small --steps 20 --threads 2 [--json]

The same GPT (GPT-2: learned positions, pre-LN, causal attention by explicit
matmul + mask + softmax, GELU tanh MLP of width 4C, tied head, no dropout), GPT-2 init,
AdamW(lr 1e-3, betas (0.9, 0.95), eps 1e-8, weight decay 0.1 on 2-D weights), global
gradient-norm clipping at 1.0 as vrev's trainer does, uniform random tokens. Full training
steps (forward, backward, clip, AdamW) are timed after 3 warm-up steps.
Needs python3-torch (Debian's is 1.13, which has no scaled_dot_product_attention).
"""

import argparse
import json
import math
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.stderr.write("bench_torch.py: torch is not installed for %s "
                     "(apt-get install -y python3-torch)\n" % sys.executable)
    sys.exit(2)

SIZES = {  # V, T, L, C, NH, B  (as `vrev bench`)
    "tiny": dict(V=128, T=64, L=4, C=128, NH=4, B=32),
    "small": dict(V=512, T=128, L=6, C=256, NH=8, B=16),
    "medium": dict(V=4096, T=256, L=8, C=512, NH=8, B=8),
}


class Attention(nn.Module):
    def __init__(self, C, NH, T):
        super().__init__()
        self.NH = NH
        self.qkv = nn.Linear(C, 3 * C)
        self.proj = nn.Linear(C, C)
        self.register_buffer("causal", torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, x):
        B, T, C = x.shape
        HS = C // self.NH
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (z.view(B, T, self.NH, HS).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(HS))
        att = att.masked_fill(~self.causal[:T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.proj(y)


class MLP(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.fc = nn.Linear(C, 4 * C)
        self.proj = nn.Linear(4 * C, C)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, C, NH, T):
        super().__init__()
        self.ln1 = nn.LayerNorm(C, eps=1e-5)
        self.attn = Attention(C, NH, T)
        self.ln2 = nn.LayerNorm(C, eps=1e-5)
        self.mlp = MLP(C)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, V, T, L, C, NH):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.blocks = nn.ModuleList(Block(C, NH, T) for _ in range(L))
        self.ln_f = nn.LayerNorm(C, eps=1e-5)
        # GPT-2 init: N(0, 0.02), residual projections / sqrt(2L), biases 0, LN weights 1
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif ".ln" in name or name.startswith("ln_f"):
                nn.init.ones_(p)
            elif name.endswith("attn.proj.weight") or name.endswith("mlp.proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * L))
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx, targets):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T, device=idx.device))
        for block in self.blocks:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head, no bias
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=sorted(SIZES), default="tiny")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    s = SIZES[args.model]
    model = GPT(s["V"], s["T"], s["L"], s["C"], s["NH"])
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    gen = torch.Generator().manual_seed(1)
    n_params = sum(p.numel() for p in model.parameters())

    def step():
        tokens = torch.randint(0, s["V"], (s["B"], s["T"] + 1), generator=gen)
        loss = model(tokens[:, :-1], tokens[:, 1:])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    seconds = time.perf_counter() - start

    ms = 1e3 * seconds / args.steps
    tps = s["B"] * s["T"] * args.steps / seconds
    if args.json:
        print(json.dumps({"model": args.model, "impl": "torch-eager", "torch": torch.__version__,
                          "threads": torch.get_num_threads(), "steps": args.steps,
                          "params": n_params, "ms_per_step": ms, "tokens_per_s": tps,
                          "final_loss": loss}))
    else:
        print("torch %s eager, model %s (B=%d T=%d L=%d C=%d NH=%d V=%d, %d params), "
              "%d threads, %d steps" % (torch.__version__, args.model, s["B"], s["T"], s["L"],
                                        s["C"], s["NH"], s["V"], n_params,
                                        torch.get_num_threads(), args.steps))
        print("  %.2f ms/step  %.0f tokens/s  (final loss %.4f)" % (ms, tps, loss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
