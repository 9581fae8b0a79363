"""nn and optim benchmarks: ferrograd next to PyTorch, in the same process.

1. One epoch of an MLP 64-256-10 with Adam over the 1797x64 digits data in batches of 64:
   at most 1.2x PyTorch's time.
2. One CNN train step on a batch of 64 1x28x28 images (conv16-pool-conv32-pool-linear, SGD
   with momentum): at most 1.5x PyTorch's time.
3. conv2d forward, 32x64x32x32 input, 64 3x3 filters, padding 1: at most 1.5x PyTorch's time.
4. LSTM forward + backward, batch 32, sequence 50, 32 inputs, hidden 128: at most 2x.
5. Normalisation layers, float32 (train mode): LayerNorm forward at most 1.2x, and forward +
   backward (input, weight and bias gradients) of LayerNorm, BatchNorm2d and GroupNorm at most
   1.5x PyTorch's time.

Both libraries build the same model from the same initial weights and data. The digits data
come from scikit-learn when it is installed; otherwise random data of the same shape stand in
(the timing does not depend on the values). Every time is the median of interleaved rounds;
the ratio is the median over rounds of ferrograd's time / PyTorch's time in the same round.

Reproduce: install ferrograd (``pip install .``) into a Python that also has torch, then

    python benchmarks/nn.py            # full run
    python benchmarks/nn.py --quick    # fewer repetitions
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


def digits() -> tuple[np.ndarray, np.ndarray, str]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        rng = np.random.default_rng(0)
        x = rng.integers(0, 17, (1797, 64)).astype(np.float32)
        return x / 16, rng.integers(0, 10, 1797), "random stand-in for the digits data"
    data = load_digits()
    return (data.data / 16).astype(np.float32), data.target, "scikit-learn digits"


def libraries() -> list:
    return [("ferrograd", ferrograd)] + ([("torch", torch)] if torch is not None else [])


def copy_weights(source_model, target_model, lib) -> None:
    """Give the second library's model the first one's initial weights."""
    with lib.no_grad():
        for src, dst in zip(source_model.parameters(), target_model.parameters()):
            dst.copy_(lib.tensor(src.detach().numpy()))


def same_models(build) -> dict:
    """One model per library from `build(lib)`, all starting from ferrograd's weights."""
    models = {name: build(lib) for name, lib in libraries()}
    for name, lib in libraries():
        if name != "ferrograd":
            copy_weights(models["ferrograd"], models[name], lib)
    return models


MLP_EPOCH = """
for xb, yb in batches:
    opt.zero_grad()
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
"""


def mlp_envs() -> tuple[dict, str]:
    x, y, source = digits()

    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))

    models = same_models(build)
    envs = {}
    for name, lib in libraries():
        xs, ys = lib.tensor(x), lib.tensor(y, dtype=lib.int64)
        batches = [(xs[i : i + 64], ys[i : i + 64]) for i in range(0, len(x), 64)]
        model = models[name]
        envs[name] = {
            "batches": batches,
            "model": model,
            "opt": lib.optim.Adam(model.parameters(), lr=1e-3),
            "F": lib.nn.functional,
        }
    return envs, source


CNN_STEP = """
opt.zero_grad()
loss = F.cross_entropy(model(xb), yb)
loss.backward()
opt.step()
"""


def cnn_envs() -> dict:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)

    def build(lib):
        nn = lib.nn
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
        )  # fmt: skip

    models = same_models(build)
    return {
        name: {
            "model": models[name],
            "opt": lib.optim.SGD(models[name].parameters(), lr=0.01, momentum=0.9),
            "xb": lib.tensor(x),
            "yb": lib.tensor(y, dtype=lib.int64),
            "F": lib.nn.functional,
        }
        for name, lib in libraries()
    }


CONV_FORWARD = "F.conv2d(x, w, padding=1)"


def conv_envs() -> dict:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((32, 64, 32, 32), dtype=np.float32)
    w = rng.standard_normal((64, 64, 3, 3), dtype=np.float32) * 0.05
    return {
        name: {"x": lib.tensor(x), "w": lib.tensor(w), "F": lib.nn.functional}
        for name, lib in libraries()
    }


LSTM_STEP = """
out, _ = lstm(x)
out.sum().backward()
"""


def lstm_envs() -> dict:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((50, 32, 32), dtype=np.float32)
    models = same_models(lambda lib: lib.nn.LSTM(32, 128))
    return {name: {"lstm": models[name], "x": lib.tensor(x)} for name, lib in libraries()}


NORM_FORWARD = "m(x)"
NORM_STEP = """
m.zero_grad()
x.grad = None
m(x).backward(g)
"""


def norm_envs(build, shape: tuple[int, ...], seed: int) -> dict:
    """A normalisation layer `m` from `build(lib)`, an input `x` that requires grad and an
    output gradient `g` of the same shape, per library."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape, dtype=np.float32)
    g = rng.standard_normal(shape, dtype=np.float32)
    models = same_models(build)
    return {
        name: {"m": models[name], "x": lib.tensor(x, requires_grad=True), "g": lib.tensor(g)}
        for name, lib in libraries()
    }


def norm_rows(table: Table, repeat: int, min_run_s: float) -> None:
    def layer_norm(width):
        return lambda lib: lib.nn.LayerNorm(width)

    for shape in [(32 * 50, 512), (64, 128, 768)]:
        envs = norm_envs(layer_norm(shape[-1]), shape, 4)
        dims = "x".join(map(str, shape))
        row(table, f"LayerNorm({shape[-1]}) forward, {dims}", NORM_FORWARD, envs, 1.2,
            repeat, min_run_s)  # fmt: skip
        row(table, f"LayerNorm({shape[-1]}) forward + backward, {dims}", NORM_STEP, envs, 1.5,
            repeat, min_run_s)  # fmt: skip
    batch = norm_envs(lambda lib: lib.nn.BatchNorm2d(32), (64, 32, 28, 28), 5)
    row(table, "BatchNorm2d(32) forward + backward, 64x32x28x28, train", NORM_STEP, batch, 1.5,
        repeat, min_run_s)  # fmt: skip
    group = norm_envs(lambda lib: lib.nn.GroupNorm(8, 64), (32, 64, 16, 16), 6)
    row(table, "GroupNorm(8, 64) forward + backward, 32x64x16x16", NORM_STEP, group, 1.5,
        repeat, min_run_s)  # fmt: skip


def row(table: Table, label: str, stmt: str, env: dict, target: float, repeat: int, min_run_s):
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
    ferrograd.manual_seed(0)
    table = Table(ratio_header="ratio fg/pt")
    mlp, source = mlp_envs()
    row(table, "MLP 64-256-10, Adam, one epoch of 1797x64 in batches of 64", MLP_EPOCH, mlp,
        1.2, repeat, min_run_s)  # fmt: skip
    row(table, "CNN train step, batch 64 of 1x28x28, SGD momentum", CNN_STEP, cnn_envs(),
        1.5, repeat, min_run_s)  # fmt: skip
    row(table, "conv2d forward 32x64x32x32, 64 3x3 filters, padding 1", CONV_FORWARD,
        conv_envs(), 1.5, repeat, min_run_s)  # fmt: skip
    row(table, "LSTM 32->128, batch 32, 50 steps, forward + backward", LSTM_STEP, lstm_envs(),
        2.0, repeat, min_run_s)  # fmt: skip
    norm_rows(table, repeat, min_run_s)

    torch_info = f"torch {torch.__version__}" if torch is not None else "torch not installed"
    print(f"ferrograd {ferrograd.__version__}, {torch_info}, Python {platform.python_version()}")
    print(f"Data: {source}. Medians of {repeat} interleaved rounds; ratio = median fg/pt.\n")
    print(table.render())
    missed = [name for name, ok in table.verdicts if ok is False]
    print()
    print("All targets met." if not missed else f"Targets missed: {len(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
