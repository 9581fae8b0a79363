"""Autograd benchmarks: ferrograd next to PyTorch, in the same process.

1. A chain of 100 ``z = z * y + 1`` on 4-element float32 tensors, then ``z.sum().backward()``:
   at most PyTorch's time (aim: half). This measures the per-node cost of recording and of
   the backward pass.
2. Backward of a chain of three 1024x1024 float32 matrix products (the graph built once,
   walked each run): within 1.1x of PyTorch.

Every time is the median of interleaved rounds; the ratio is the median over rounds of
ferrograd's time / PyTorch's time in the same round (below 1: ferrograd is faster).

Reproduce: install ferrograd (``pip install .``) into a Python that also has torch, then

    python benchmarks/autograd.py            # full run
    python benchmarks/autograd.py --quick    # fewer repetitions
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

import ferrograd
import numpy as np
from _harness import Table, fmt_time, interleaved_runs, median_paired_ratio

try:
    import torch
except ImportError:  # PyTorch is optional: its column then reads n/a.
    torch = None

CHAIN = """
z = x
for _ in range(100):
    z = z * y + 1
z.sum().backward()
"""

# The graph is built once; each run walks it again (gradients accumulate into .grad, as
# they would over the steps of a training loop).
MATMUL_BACKWARD = "loss.backward(retain_graph=True)"


def envs(arrays: dict, grad: tuple) -> dict:
    out = {}
    libs = [("ferrograd", ferrograd)] + ([("torch", torch)] if torch is not None else [])
    for name, lib in libs:
        env = {}
        for key, value in arrays.items():
            env[key] = lib.tensor(value, requires_grad=key in grad)
        out[name] = env
    return out


def row(
    table: Table, label: str, stmt: str, env: dict, target: float, repeat: int, min_run_s: float
):
    runs = interleaved_runs(stmt, env, repeat=repeat, min_run_s=min_run_s)
    fg = float(np.median(runs["ferrograd"]))
    pt = float(np.median(runs["torch"])) if "torch" in runs else None
    ratio = median_paired_ratio(runs["ferrograd"], runs["torch"]) if pt else None
    table.add(
        label,
        fmt_time(fg),
        fmt_time(pt),
        f"{ratio:.2f}x" if ratio else "n/a",
        f"<= {target:g}x PyTorch's time",
        None if ratio is None else ratio <= target,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeat, min_run_s = (7, 0.05) if args.quick else (21, 0.2)
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    rng = np.random.default_rng(0)
    table = Table(ratio_header="ratio fg/pt")

    small = {"x": rng.random(4, dtype=np.float32), "y": rng.random(4, dtype=np.float32) * 0.01}
    row(
        table,
        "100 x `z = z * y + 1` on 4 floats, then backward",
        CHAIN,
        envs(small, ("x", "y")),
        1.0,
        repeat,
        min_run_s,
    )

    n = 1024
    mats = {k: rng.random((n, n), dtype=np.float32) / n for k in "abcd"}
    mat_envs = envs(mats, ("a", "b", "c", "d"))
    for env in mat_envs.values():
        env["loss"] = (env["a"] @ env["b"] @ env["c"] @ env["d"]).sum()
    row(
        table,
        "backward of `(a @ b @ c @ d).sum()`, 1024x1024 float32",
        MATMUL_BACKWARD,
        mat_envs,
        1.1,
        repeat,
        min_run_s,
    )

    torch_info = f"torch {torch.__version__}" if torch is not None else "torch not installed"
    print(f"ferrograd {ferrograd.__version__}, {torch_info}, Python {platform.python_version()}")
    print(f"Medians of {repeat} interleaved rounds; ratio = median of per-round fg/pt.\n")
    print(table.render())
    missed = [name for name, ok in table.verdicts if ok is False]
    print()
    print("All targets met." if not missed else f"Targets missed: {len(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
