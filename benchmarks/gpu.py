"""GPU benchmarks: ferrograd on its wgpu device next to PyTorch CUDA, in the same process.

Measures the GPU backend's performance targets and prints a Markdown table that can be pasted
into the README:

1. float32 matmul 4096 x 4096 @ 4096 x 4096 on wgpu: at least 10 TFLOP/s (on an H200), and
   aim for half of PyTorch CUDA's figure for the same matmul with TF32 off.
2. ``a + b`` on 64M float32 elements on wgpu: GB/s counting 3 x 4 bytes per element (two
   reads, one write), at least 50% of the GPU's memory bandwidth. wgpu cannot query the
   bandwidth: it comes from ``--bandwidth-gbs``, or else from a small table of known GPUs
   matched by the adapter's name (n/a for others).
3. One training step (forward, cross-entropy, backward, Adam) of an MLP 784-1024-1024-10 on a
   batch of 1024, and of a small CNN (conv3x3 32 + ReLU + maxpool, conv3x3 64 + ReLU +
   maxpool, Linear) on a batch of 256 3x32x32 images: faster on wgpu than on ferrograd's CPU,
   and at most 3x PyTorch CUDA's time.

PyTorch runs with TF32 off (``torch.backends.cuda.matmul.allow_tf32`` and
``torch.backends.cudnn.allow_tf32`` False) throughout, so both libraries compute in float32.
The three devices of a training row start from the same weights and data.

GPU work is submitted lazily (and asynchronously on CUDA), so every timed statement ends with
``ferrograd.wgpu.synchronize()`` (``torch.cuda.synchronize()``): the clock stops when the GPU
is done, not when the commands are queued. Each statement runs a few times first (shader
pipelines compile on first use, optimiser state is allocated). Every time is the MEDIAN of
repeated interleaved timeit runs; ratios are the median over rounds of the two times in the
same round.

Ops without a wgpu kernel yet run their CPU kernel on host copies of their inputs, with a
one-time UserWarning each. The warnings are kept out of the table, and the ops that fell
back are listed after it, under the row where each first did: they explain a slow row. The
warning comes when an op has to copy GPU data to the host, so an op whose inputs are already
there (the output of an op that fell back) runs on the CPU unnamed: the list is a lower bound.

Without a wgpu adapter the script says so and exits 0. A software adapter (Mesa's llvmpipe) is
used only with ``FERROGRAD_WGPU_SOFTWARE=1``; its figures are for regressions only: the
targets are for a real GPU.

Reproduce: install ferrograd (``pip install .``) into a Python that also has torch with CUDA
(torch is optional: its column then reads n/a), then

    python benchmarks/gpu.py                        # the target sizes, for a real GPU
    python benchmarks/gpu.py --bandwidth-gbs 3350   # a GPU the bandwidth table lacks
    FERROGRAD_WGPU_SOFTWARE=1 python benchmarks/gpu.py --quick   # a software adapter's pace
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import timeit
import warnings

import ferrograd
import numpy as np
from _harness import Table, fmt_time, interleaved_runs, median_paired_ratio

try:
    import torch
except ImportError:  # PyTorch is optional: its column then reads n/a.
    torch = None

# Peak memory bandwidth (GB/s) from the vendors' datasheets, by words of the adapter's name.
# The first entry whose words all occur in the name wins, so variants come before the family.
KNOWN_BANDWIDTH_GBS = [
    (("h200",), 4800.0),
    (("h100", "pcie"), 2000.0),
    (("h100", "nvl"), 3900.0),
    (("h100",), 3350.0),  # SXM: named "H100 80GB HBM3" or "H100 SXM"
    (("a100", "80gb", "pcie"), 1935.0),
    (("a100", "80gb"), 2039.0),
    (("a100",), 1555.0),  # 40GB
]

# Names of software adapters: they run shaders on the CPU.
SOFTWARE_ADAPTERS = ("llvmpipe", "lavapipe", "swiftshader", "softpipe", "basic render")

FALLBACK = re.compile(r"^(.+?): no wgpu kernel yet")

# Every timed statement ends with `sync()`: the device's synchronize, or nothing on the CPU.
MATMUL = "c = a @ b; sync()"
ADD = "c = a + b; sync()"
TRAIN_STEP = """
opt.zero_grad()
loss = F.cross_entropy(model(xb), yb)
loss.backward()
opt.step()
sync()
"""


def known_bandwidth(name: str) -> float | None:
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    for keys, gbs in KNOWN_BANDWIDTH_GBS:
        if all(k in words for k in keys):
            return gbs
    return None


def cuda_available() -> bool:
    return torch is not None and torch.cuda.is_available()


def no_sync() -> None:
    pass


def device_envs(make) -> dict:
    """Per device ("wgpu", and "cuda" when PyTorch has CUDA) the globals `make(lib, device)`
    returns, with `sync` set to that device's synchronize."""
    envs = {"wgpu": {**make(ferrograd, "wgpu"), "sync": ferrograd.wgpu.synchronize}}
    if cuda_available():
        envs["cuda"] = {**make(torch, "cuda"), "sync": torch.cuda.synchronize}
    return envs


def measure(stmt: str, envs: dict, *, repeat: int, min_run_s: float, warmup: int) -> dict:
    """Per env its seconds per execution of `stmt`, one entry per interleaved round.

    Each env first runs `stmt` `warmup` times (pipelines compile, caches fill); an env whose
    warm-up fails is reported and left out, so one missing op does not sink the table.
    """
    ready = {}
    for name, env in envs.items():
        try:
            timeit.Timer(stmt, globals=env).timeit(warmup)
            ready[name] = env
        except (AttributeError, TypeError, RuntimeError, NotImplementedError) as e:
            print(f"  [{name}] {stmt.strip()!r} failed: {type(e).__name__}: {e}", file=sys.stderr)
    if not ready:
        return {}
    # No idle time between runs: these kernels run on the GPUs, not on spinning CPU threads,
    # and an idle GPU lowers its clocks (the README's GPU figures were taken this way).
    return interleaved_runs(stmt, ready, repeat=repeat, min_run_s=min_run_s, settle_s=0.0)


def median(runs: dict, name: str) -> float | None:
    return statistics.median(runs[name]) if name in runs else None


def paired(runs: dict, numerator: str, denominator: str) -> float | None:
    """The median over rounds of `numerator`'s time / `denominator`'s (None if either is
    missing)."""
    if numerator in runs and denominator in runs:
        return median_paired_ratio(runs[numerator], runs[denominator])
    return None


def tflops(flops: float, t: float | None) -> str:
    return "n/a" if t is None else f"{flops / t / 1e12:.3g} TFLOP/s"


def bench_matmul(table: Table, n: int, repeat: int, min_run_s: float, warmup: int) -> None:
    def make(lib, device):
        return {
            "a": lib.randn(n, n, device=device),
            "b": lib.randn(n, n, device=device),
        }

    runs = measure(MATMUL, device_envs(make), repeat=repeat, min_run_s=min_run_s, warmup=warmup)
    flops = 2.0 * n**3
    fg, pt = median(runs, "wgpu"), median(runs, "cuda")
    ratio = paired(runs, "cuda", "wgpu")  # PyTorch's time / ours: our share of its speed
    table.add(
        f"`a @ b`, {n}x{n} float32",
        tflops(flops, fg),
        f"PyTorch CUDA, TF32 off: {tflops(flops, pt)}",
        "n/a" if ratio is None else f"{ratio:.2f}x PyTorch's speed",
        ">= 10 TFLOP/s (aim: 0.5x PyTorch)",
        None if fg is None else flops / fg / 1e12 >= 10,
    )


def bench_add(
    table: Table, n: int, bandwidth: float | None, repeat: int, min_run_s: float, warmup: int
) -> None:
    def make(lib, device):
        return {"a": lib.randn(n, device=device), "b": lib.randn(n, device=device)}

    runs = measure(ADD, device_envs(make), repeat=repeat, min_run_s=min_run_s, warmup=warmup)
    moved = 3 * 4 * n  # read a and b, write c
    fg, pt = median(runs, "wgpu"), median(runs, "cuda")

    def gbs(t: float | None) -> str:
        if t is None:
            return "n/a"
        rate = moved / t / 1e9
        return f"{rate:.4g} GB/s" + (f" ({rate / bandwidth:.1%} of bandwidth)" if bandwidth else "")

    ratio = paired(runs, "cuda", "wgpu")
    table.add(
        f"`a + b`, {n // 2**20}M float32",
        gbs(fg),
        f"PyTorch CUDA: {gbs(pt)}",
        "n/a" if ratio is None else f"{ratio:.2f}x PyTorch's speed",
        ">= 50% of memory bandwidth",
        None if fg is None or not bandwidth else moved / fg / 1e9 / bandwidth >= 0.5,
    )


def copy_weights(source, target, lib) -> None:
    """Give `target` (a `lib` model) the weights of the ferrograd CPU model `source`."""
    with lib.no_grad():
        for src, dst in zip(source.parameters(), target.parameters()):
            dst.copy_(lib.tensor(src.detach().numpy()))


def training_envs(build, x: np.ndarray, y: np.ndarray) -> dict:
    """Globals for TRAIN_STEP on ferrograd's CPU, on wgpu and (if present) on PyTorch CUDA:
    the model `build(lib)` with the same initial weights everywhere, Adam, the batch."""
    ferrograd.manual_seed(0)
    reference = build(ferrograd)

    def env(lib, device, sync) -> dict:
        model = build(lib)
        copy_weights(reference, model, lib)
        model = model.to(device)
        return {
            "model": model,
            "opt": lib.optim.Adam(model.parameters(), lr=1e-3),
            "xb": lib.tensor(x).to(device),
            "yb": lib.tensor(y, dtype=lib.int64).to(device),
            "F": lib.nn.functional,
            "sync": sync,
        }

    envs = {
        "wgpu": env(ferrograd, "wgpu", ferrograd.wgpu.synchronize),
        "cpu": env(ferrograd, "cpu", no_sync),
    }
    if cuda_available():
        envs["cuda"] = env(torch, "cuda", torch.cuda.synchronize)
    return envs


def training_rows(table: Table, label: str, envs: dict, repeat, min_run_s, warmup) -> None:
    """Two rows for one training step: wgpu against ferrograd's CPU, and against PyTorch CUDA."""
    runs = measure(TRAIN_STEP, envs, repeat=repeat, min_run_s=min_run_s, warmup=warmup)
    fg = median(runs, "wgpu")
    speedup = paired(runs, "cpu", "wgpu")  # CPU time / GPU time: above 1, the GPU is faster
    table.add(
        f"{label}: wgpu vs CPU",
        fmt_time(fg),
        f"ferrograd CPU: {fmt_time(median(runs, 'cpu'))}",
        "n/a" if speedup is None else f"{speedup:.2f}x speedup",
        "faster than the CPU (> 1x)",
        None if speedup is None else speedup > 1,
    )
    ratio = paired(runs, "wgpu", "cuda")
    table.add(
        f"{label}: wgpu vs PyTorch CUDA",
        fmt_time(fg),
        f"PyTorch CUDA: {fmt_time(median(runs, 'cuda'))}",
        "n/a" if ratio is None else f"{ratio:.2f}x PyTorch's time",
        "<= 3x PyTorch CUDA's time",
        None if ratio is None else ratio <= 3,
    )


def bench_mlp(table: Table, hidden: int, batch: int, repeat, min_run_s, warmup) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784), dtype=np.float32)
    y = rng.integers(0, 10, batch)

    def build(lib):
        nn = lib.nn
        return nn.Sequential(
            nn.Linear(784, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 10),
        )  # fmt: skip

    label = f"MLP 784-{hidden}-{hidden}-10 train step, batch {batch}, Adam"
    training_rows(table, label, training_envs(build, x, y), repeat, min_run_s, warmup)


def bench_cnn(table: Table, batch: int, repeat, min_run_s, warmup) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, 3, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, batch)

    def build(lib):
        nn = lib.nn
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 10),
        )  # fmt: skip

    label = f"CNN train step, batch {batch} of 3x32x32, Adam"
    training_rows(table, label, training_envs(build, x, y), repeat, min_run_s, warmup)


def fallback_ops(caught: list) -> list[str]:
    """The op names in the one-time "no wgpu kernel yet" warnings among `caught`."""
    names = []
    for w in caught:
        m = FALLBACK.match(str(w.message))
        if m and m.group(1) not in names:
            names.append(m.group(1))
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and fewer repetitions (regressions)"
    )
    parser.add_argument("--only", choices=["matmul", "add", "mlp", "cnn"])
    parser.add_argument(
        "--bandwidth-gbs",
        type=float,
        help="the GPU's memory bandwidth in GB/s (default: looked up by the adapter's name)",
    )
    args = parser.parse_args()

    if not ferrograd.wgpu.is_available():
        print(
            "No wgpu GPU adapter found (Vulkan, Metal or DX12), so there is no GPU to measure. "
            "On Linux without a GPU, Mesa's software Vulkan driver (mesa-vulkan-drivers) gives "
            "one, used with FERROGRAD_WGPU_SOFTWARE=1."
        )
        return 0

    if args.quick:
        sizes = {"matmul": 256, "add": 2**20, "hidden": 128, "mlp_batch": 64, "cnn_batch": 8}
        repeat, min_run_s, warmup = 7, 0.05, 2
    else:
        sizes = {"matmul": 4096, "add": 64 * 2**20, "hidden": 1024, "mlp_batch": 1024}
        sizes["cnn_batch"] = 256
        repeat, min_run_s, warmup = 15, 0.1, 3
    if torch is not None:
        # float32 on both sides: TF32 would make PyTorch's matmuls and convolutions faster by
        # computing with 10-bit mantissas.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.manual_seed(0)

    name = ferrograd.wgpu.get_device_name()
    bandwidth = args.bandwidth_gbs or known_bandwidth(name)
    if args.bandwidth_gbs:
        bandwidth_info = f"{bandwidth:g} GB/s (from --bandwidth-gbs)"
    elif bandwidth:
        bandwidth_info = f"{bandwidth:g} GB/s (datasheet figure for this GPU)"
    else:
        bandwidth_info = "n/a (unknown GPU: pass --bandwidth-gbs)"

    table = Table(ratio_header="ratio", columns=("ferrograd wgpu", "compared with"))
    groups = {
        "matmul": lambda: bench_matmul(table, sizes["matmul"], repeat, min_run_s, warmup),
        "add": lambda: bench_add(table, sizes["add"], bandwidth, repeat, min_run_s, warmup),
        "mlp": lambda: bench_mlp(
            table, sizes["hidden"], sizes["mlp_batch"], repeat, min_run_s, warmup
        ),
        "cnn": lambda: bench_cnn(table, sizes["cnn_batch"], repeat, min_run_s, warmup),
    }
    # The fallback warnings come once per op per process, so they are recorded (not shown)
    # over the whole run, and noted against the group in which each op first fell back.
    fell_back: dict[str, list[str]] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", message=".*no wgpu kernel yet", category=UserWarning)
        for group, run in groups.items():
            if args.only in (None, group):
                seen = len(caught)
                run()
                fell_back[group] = fallback_ops(caught[seen:])
    for w in caught:
        if not FALLBACK.match(str(w.message)):  # other warnings are the reader's business
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)

    software = any(s in name.lower() for s in SOFTWARE_ADAPTERS)
    print(f"GPU: {name}{' (a software adapter)' if software else ''}")
    print(f"Memory bandwidth: {bandwidth_info}")
    if torch is None:
        torch_info = "torch not installed (PyTorch CUDA n/a)"
    elif cuda_available():
        torch_info = f"torch {torch.__version__}, CUDA device {torch.cuda.get_device_name()}"
    else:
        torch_info = f"torch {torch.__version__} without a CUDA device (PyTorch CUDA n/a)"
    print(f"ferrograd {ferrograd.__version__}, {torch_info}, Python {platform.python_version()}")
    if software or args.quick:
        why = "a software adapter" if software else "--quick sizes"
        print(f"Figures for regressions only ({why}): the targets are for a real GPU.")
    print(
        f"Medians of {repeat} interleaved rounds, each timed run ending in a synchronize; "
        f"ratios are medians over the rounds of the two times in the same round.\n"
    )
    print(table.render())
    missed = [row for row, ok in table.verdicts if ok is False]
    print()
    print("All targets met." if not missed else f"Targets missed: {len(missed)}")
    for row in missed:
        print(f"  - {row}")

    print()
    if any(fell_back.values()):
        print("Ops that ran on the CPU for want of a wgpu kernel (each listed where it first did):")
        for group, ops in fell_back.items():
            if ops:
                print(f"  - {group}: {', '.join(ops)}")
    else:
        print("No op fell back to the CPU: every op measured ran a wgpu kernel.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
