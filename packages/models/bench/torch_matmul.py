"""PyTorch peer of packages/models/bench/matmul-rate.ts: the float32 products of one training step, timed alone.

Usage: /usr/bin/python3 torch_matmul.py '<json spec>'
spec: shapes [[M, K, N] or [batch, M, K, N], ...], inner [products per timed rep, per shape], reps, threads.
Prints one JSON line: {"ms": [[ms per product, per rep...] per shape], "blas": "..."}: `torch.mm` of an [M, K] by a
[K, N] contiguous matrix (what `nn.Linear` and its backward reduce to), `torch.bmm` with a batch.
"""
import json
import sys

import torch

from torch_peer import blas_kernel, timed


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    out = []
    for shape, inner in zip(spec["shapes"], spec["inner"]):
        *lead, m, k, n = shape
        a, b = torch.randn(*lead, m, k), torch.randn(*lead, k, n)
        product = torch.bmm if lead else torch.mm
        fn = lambda: [product(a, b) for _ in range(inner)]  # noqa: E731
        fn()  # warm-up
        out.append([timed(fn) / inner for _ in range(spec["reps"])])
    print(json.dumps({"ms": out, "blas": blas_kernel()}))


if __name__ == "__main__":
    main()
