"""PyTorch peer of packages/models/bench/bench.ts: the same GPT-NeoX math, shapes and float32, timed the same way.

Usage: /usr/bin/python3 torch_peer.py '<json spec>'   (spec: config, batch, seq, sample_tokens, reps, threads)
Prints one JSON line: {"forward": [ms...], "train": [ms...], "sample": [ms...], "blas": "..."}; "blas" names the
BLAS library the process loaded and, for OpenBLAS, the kernel it runs (`openblas_get_corename`): a peer slowed by
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (which bench.ts removes from this process's environment alone) shows here.
"""
import ctypes
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i = c["hiddenSize"], c["intermediateSize"]
        self.ln1 = torch.nn.LayerNorm(h, eps=c["normEps"])
        self.ln2 = torch.nn.LayerNorm(h, eps=c["normEps"])
        self.qkv = torch.nn.Linear(h, 3 * h)
        self.dense = torch.nn.Linear(h, h)
        self.up = torch.nn.Linear(h, i)
        self.down = torch.nn.Linear(i, h)
        self.nh, self.hd, self.rd = c["numHeads"], c["headDim"], c["rotaryDim"]

    def rotary(self, x, cos, sin):
        r, half = self.rd, self.rd // 2
        x1, x2, rest = x[..., :half], x[..., half:r], x[..., r:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin, rest], -1)

    def forward(self, x, bias, cos, sin, past=None):
        b, t, h = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.nh, self.hd).unbind(2)
        q, k = self.rotary(q, cos, sin), self.rotary(k, cos, sin)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        scores = (q / math.sqrt(self.hd)) @ k.transpose(2, 3) + bias
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h)
        out = x + self.dense(ctx) + self.down(F.gelu(self.up(self.ln2(x))))
        return out, (k, v)


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Embedding(c["vocabSize"], c["hiddenSize"])
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["numLayers"]))
        self.ln_f = torch.nn.LayerNorm(c["hiddenSize"], eps=c["normEps"])
        self.head = torch.nn.Linear(c["hiddenSize"], c["vocabSize"], bias=False)
        half = c["rotaryDim"] // 2
        self.inv = 1.0 / (c["ropeTheta"] ** (torch.arange(0, half).float() * 2 / c["rotaryDim"]))

    def forward(self, ids, cache=None, last_only=False):
        b, t = ids.shape
        past = 0 if cache is None else cache[0][0].shape[2]
        pos = torch.arange(past, past + t).float()
        ang = (pos[:, None] * self.inv[None, :])[None, :, None, :]
        cos, sin = ang.cos(), ang.sin()
        s = past + t
        bias = torch.full((t, s), -1e9).triu(past + 1)[None, None]
        x = self.embed(ids)
        new = []
        for i, layer in enumerate(self.layers):
            x, kv = layer(x, bias, cos, sin, None if cache is None else cache[i])
            new.append(kv)
        x = self.ln_f(x)
        if last_only:
            x = x[:, -1:]
        return self.head(x), new


def timed(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def blas_kernel():
    """The BLAS shared library mapped into this process and, for OpenBLAS, its core name and build config."""
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    for path in paths:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
            return f"OpenBLAS {core} ({lib.openblas_get_config().decode().strip()}; {path})"
    mkl = "MKL" if torch.backends.mkl.is_available() else None
    return ", ".join(paths) or mkl or "unknown"


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    c = spec["config"]
    model = Model(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, eps=1e-5)
    ids = torch.randint(0, c["vocabSize"], (spec["batch"], spec["seq"]))

    def forward():
        with torch.no_grad():
            model(ids)

    def train():
        logits, _ = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, c["vocabSize"]), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()

    def sample():
        with torch.no_grad():
            logits, cache = model(ids, last_only=True)
            for _ in range(spec["sample_tokens"]):
                nxt = torch.multinomial(logits[:, -1].softmax(-1), 1)
                logits, cache = model(nxt, cache)

    out = {}
    for name, fn in (("forward", forward), ("train", train), ("sample", sample)):
        fn()  # warm-up
        out[name] = [timed(fn) for _ in range(spec["reps"])]
    out["blas"] = blas_kernel()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
