"""An independent float64 NumPy implementation of vrev's GPT (GPT-2 architecture).

Forward and a hand-written backward, one function pair per layer in the style of
llm.c, so every gradient can be read line by line. Nothing here shares code with the
C++ engine; it follows the model specification in docs/architecture.md ("The model") only:

  x = wte[tokens] + wpe[positions]
  per block:  x = x + attn.proj(attention(attn.qkv(ln1(x))))
              x = x + mlp.proj(gelu_tanh(mlp.fc(ln2(x))))
  logits = ln_f(x) @ wte^T                      (tied head, no bias)
  loss = sum(mask * CE(logits, targets)) / sum(mask)

Linear weights are (out, in) and y = x W^T + b. The fused qkv output is [q | k | v],
each split into NH contiguous heads of HS = C / NH. LayerNorm eps is 1e-5.

Also here: a minimal safetensors reader/writer (.npy files go through numpy).
"""

import json
import struct

import numpy as np

LN_EPS = 1e-5

# ----------------------------------------------------------------------------
# safetensors

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16,
           "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
           "U8": np.uint8}


def read_safetensors(path):
    """Returns (tensors: dict name -> ndarray, metadata: dict)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        arr = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
        tensors[name] = arr.copy()
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> ndarray (written in insertion order)."""
    inverse = {np.dtype(v): k for k, v in _DTYPES.items()}
    header = {}
    chunks = []
    offset = 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": inverse[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def model_config(metadata):
    """The model section of the config JSON stored in __metadata__["config"]."""
    cfg = json.loads(metadata["config"])
    return cfg.get("model", cfg)


# ----------------------------------------------------------------------------
# parameters


def param_names(L):
    names = ["wte.weight", "wpe.weight"]
    for i in range(L):
        p = "blocks.%d." % i
        names += [p + "ln1.weight", p + "ln1.bias",
                  p + "attn.qkv.weight", p + "attn.qkv.bias",
                  p + "attn.proj.weight", p + "attn.proj.bias",
                  p + "ln2.weight", p + "ln2.bias",
                  p + "mlp.fc.weight", p + "mlp.fc.bias",
                  p + "mlp.proj.weight", p + "mlp.proj.bias"]
    return names + ["ln_f.weight", "ln_f.bias"]


def param_shapes(V, Tmax, L, C):
    shapes = {"wte.weight": (V, C), "wpe.weight": (Tmax, C),
              "ln_f.weight": (C,), "ln_f.bias": (C,)}
    for i in range(L):
        p = "blocks.%d." % i
        shapes.update({p + "ln1.weight": (C,), p + "ln1.bias": (C,),
                       p + "attn.qkv.weight": (3 * C, C), p + "attn.qkv.bias": (3 * C,),
                       p + "attn.proj.weight": (C, C), p + "attn.proj.bias": (C,),
                       p + "ln2.weight": (C,), p + "ln2.bias": (C,),
                       p + "mlp.fc.weight": (4 * C, C), p + "mlp.fc.bias": (4 * C,),
                       p + "mlp.proj.weight": (C, 4 * C), p + "mlp.proj.bias": (C,)})
    return shapes


# ----------------------------------------------------------------------------
# layers: each forward returns (out, cache); each backward takes (dout, cache)


def encoder_forward(tokens, wte, wpe):
    """tokens (B, T) int -> x (B, T, C) = wte[tokens] + wpe[0..T-1]."""
    T = tokens.shape[1]
    return wte[tokens] + wpe[:T][None, :, :], (tokens, wte.shape, wpe.shape)


def encoder_backward(dx, cache):
    tokens, wte_shape, wpe_shape = cache
    T = tokens.shape[1]
    dwte = np.zeros(wte_shape)
    np.add.at(dwte, tokens.reshape(-1), dx.reshape(-1, dx.shape[-1]))
    dwpe = np.zeros(wpe_shape)
    dwpe[:T] = dx.sum(axis=0)
    return dwte, dwpe


def layernorm_forward(x, w, b):
    mean = x.mean(axis=-1, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=-1, keepdims=True)  # biased variance
    rstd = 1.0 / np.sqrt(var + LN_EPS)
    xhat = xc * rstd
    return xhat * w + b, (xhat, rstd, w)


def layernorm_backward(dout, cache):
    xhat, rstd, w = cache
    red = tuple(range(dout.ndim - 1))
    dw = (dout * xhat).sum(axis=red)
    db = dout.sum(axis=red)
    dxhat = dout * w
    # dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
    dx = rstd * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                 - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dx, dw, db


def linear_forward(x, W, b):
    """W (out, in); y = x W^T + b (b may be None)."""
    y = x @ W.T
    if b is not None:
        y = y + b
    return y, (x, W, b is not None)


def linear_backward(dy, cache):
    x, W, has_bias = cache
    dx = dy @ W
    dW = dy.reshape(-1, dy.shape[-1]).T @ x.reshape(-1, x.shape[-1])
    db = dy.reshape(-1, dy.shape[-1]).sum(axis=0) if has_bias else None
    return dx, dW, db


def attention_forward(qkv, NH):
    """qkv (B, T, 3C) as [q | k | v], heads contiguous -> out (B, T, C)."""
    B, T, C3 = qkv.shape
    C = C3 // 3
    HS = C // NH

    def heads(z):  # (B, T, C) -> (B, NH, T, HS)
        return z.reshape(B, T, NH, HS).transpose(0, 2, 1, 3)

    q, k, v = heads(qkv[..., :C]), heads(qkv[..., C:2 * C]), heads(qkv[..., 2 * C:])
    scale = 1.0 / np.sqrt(HS)
    scores = (q @ k.transpose(0, 1, 3, 2)) * scale          # (B, NH, T, T)
    causal = np.tril(np.ones((T, T), dtype=bool))
    scores = np.where(causal, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    att = np.exp(scores)
    att = att / att.sum(axis=-1, keepdims=True)
    y = att @ v                                               # (B, NH, T, HS)
    out = y.transpose(0, 2, 1, 3).reshape(B, T, C)
    return out, (q, k, v, att, scale, NH)


def attention_backward(dout, cache):
    q, k, v, att, scale, NH = cache
    B, _, T, HS = q.shape
    C = NH * HS
    dy = dout.reshape(B, T, NH, HS).transpose(0, 2, 1, 3)
    datt = dy @ v.transpose(0, 1, 3, 2)
    dv = att.transpose(0, 1, 3, 2) @ dy
    # softmax backward; masked entries have att = 0 so they get no gradient
    dscores = att * (datt - (datt * att).sum(axis=-1, keepdims=True))
    dscores = dscores * scale
    dq = dscores @ k
    dk = dscores.transpose(0, 1, 3, 2) @ q

    def merge(z):  # (B, NH, T, HS) -> (B, T, C)
        return z.transpose(0, 2, 1, 3).reshape(B, T, C)

    return np.concatenate([merge(dq), merge(dk), merge(dv)], axis=-1)


_GELU_C = np.sqrt(2.0 / np.pi)


def gelu_forward(x):
    u = _GELU_C * (x + 0.044715 * x ** 3)
    return 0.5 * x * (1.0 + np.tanh(u)), x


def gelu_backward(dout, x):
    u = _GELU_C * (x + 0.044715 * x ** 3)
    t = np.tanh(u)
    du = _GELU_C * (1.0 + 3.0 * 0.044715 * x ** 2)
    return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du)


def crossentropy_forward(logits, targets, mask):
    """Masked mean cross-entropy: sum(mask * CE) / sum(mask)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    logsumexp = np.log(np.exp(z).sum(axis=-1, keepdims=True))
    logp = z - logsumexp
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    total = mask.sum()
    loss = (mask * nll).sum() / total
    return loss, (np.exp(logp), targets, mask, total)


def crossentropy_backward(dloss, cache):
    probs, targets, mask, total = cache
    dlogits = probs.copy()
    onehot = np.zeros_like(probs)
    np.put_along_axis(onehot, targets[..., None], 1.0, axis=-1)
    dlogits -= onehot
    return dlogits * (mask / total)[..., None] * dloss


# ----------------------------------------------------------------------------
# the model


def block_forward(x, P, i, NH):
    p = "blocks.%d." % i
    c = {}
    h, c["ln1"] = layernorm_forward(x, P[p + "ln1.weight"], P[p + "ln1.bias"])
    h, c["qkv"] = linear_forward(h, P[p + "attn.qkv.weight"], P[p + "attn.qkv.bias"])
    h, c["attn"] = attention_forward(h, NH)
    h, c["aproj"] = linear_forward(h, P[p + "attn.proj.weight"], P[p + "attn.proj.bias"])
    x = x + h
    h, c["ln2"] = layernorm_forward(x, P[p + "ln2.weight"], P[p + "ln2.bias"])
    h, c["fc"] = linear_forward(h, P[p + "mlp.fc.weight"], P[p + "mlp.fc.bias"])
    h, c["gelu"] = gelu_forward(h)
    h, c["mproj"] = linear_forward(h, P[p + "mlp.proj.weight"], P[p + "mlp.proj.bias"])
    x = x + h
    return x, c


def block_backward(dx, c, i, G):
    """dx: gradient w.r.t. the block's output; fills G; returns gradient w.r.t. its input."""
    p = "blocks.%d." % i
    # x_out = x_mid + mlp(x_mid)
    dh, G[p + "mlp.proj.weight"], G[p + "mlp.proj.bias"] = linear_backward(dx, c["mproj"])
    dh = gelu_backward(dh, c["gelu"])
    dh, G[p + "mlp.fc.weight"], G[p + "mlp.fc.bias"] = linear_backward(dh, c["fc"])
    dh, G[p + "ln2.weight"], G[p + "ln2.bias"] = layernorm_backward(dh, c["ln2"])
    dx = dx + dh
    # x_mid = x_in + attn(x_in)
    dh, G[p + "attn.proj.weight"], G[p + "attn.proj.bias"] = linear_backward(dx, c["aproj"])
    dh = attention_backward(dh, c["attn"])
    dh, G[p + "attn.qkv.weight"], G[p + "attn.qkv.bias"] = linear_backward(dh, c["qkv"])
    dh, G[p + "ln1.weight"], G[p + "ln1.bias"] = layernorm_backward(dh, c["ln1"])
    return dx + dh


def gpt_forward(P, cfg, tokens):
    """P: dict name -> float64 array; tokens (B, T) int. Returns (logits (B,T,V), cache)."""
    L, NH = cfg["layers"], cfg["heads"]
    cache = {"blocks": []}
    x, cache["enc"] = encoder_forward(tokens, P["wte.weight"], P["wpe.weight"])
    for i in range(L):
        x, c = block_forward(x, P, i, NH)
        cache["blocks"].append(c)
    x, cache["lnf"] = layernorm_forward(x, P["ln_f.weight"], P["ln_f.bias"])
    logits, cache["head"] = linear_forward(x, P["wte.weight"], None)
    return logits, cache


def gpt_backward(dlogits, cache, cfg):
    """Returns dict name -> gradient, for every parameter."""
    L = cfg["layers"]
    G = {}
    dx, dwte_head, _ = linear_backward(dlogits, cache["head"])
    dx, G["ln_f.weight"], G["ln_f.bias"] = layernorm_backward(dx, cache["lnf"])
    for i in reversed(range(L)):
        dx = block_backward(dx, cache["blocks"][i], i, G)
    dwte_enc, G["wpe.weight"] = encoder_backward(dx, cache["enc"])
    G["wte.weight"] = dwte_enc + dwte_head  # tied: embedding + output head
    return G


def loss_and_grads(P, cfg, tokens_with_targets, mask=None):
    """tokens_with_targets (B, T+1): inputs [:, :-1], targets [:, 1:].
    Returns (loss, logits, grads)."""
    tokens = np.asarray(tokens_with_targets)
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    if mask is None:
        mask = np.ones(targets.shape)
    mask = np.asarray(mask, dtype=np.float64)
    logits, cache = gpt_forward(P, cfg, inputs)
    loss, ce_cache = crossentropy_forward(logits, targets, mask)
    dlogits = crossentropy_backward(1.0, ce_cache)
    return loss, logits, gpt_backward(dlogits, cache, cfg)


def loss_only(P, cfg, tokens_with_targets, mask=None):
    tokens = np.asarray(tokens_with_targets)
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    if mask is None:
        mask = np.ones(targets.shape)
    logits, _ = gpt_forward(P, cfg, inputs)
    return crossentropy_forward(logits, targets, np.asarray(mask, dtype=np.float64))[0]


def load_model(path):
    """Returns (params as float64 dict in canonical order, model config dict)."""
    tensors, metadata = read_safetensors(path)
    cfg = model_config(metadata)
    names = param_names(cfg["layers"])
    return {n: tensors[n].astype(np.float64) for n in names}, cfg
