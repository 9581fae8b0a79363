"""Operator benchmarks: ferrograd next to PyTorch, in the same process, both on all cores.

Measures the performance targets of the operator set and prints a Markdown table that can be
pasted into the README:

1. float32 matmul, 256 / 1024 / 2048 square and batched 64 x 128 x 128: GFLOP/s, at least
   0.9x PyTorch's, each also shown as a fraction of the machine's float32 peak.
2. add, mul, exp on 4M float32 elements, contiguous and transposed: at least 0.9x PyTorch's
   throughput.
3. sum, mean, max over 4M elements and over each dim of a 2048 x 2048 tensor: at least 0.8x.
4. Per-op overhead, ``a + b`` on 4-element tensors: at most PyTorch's time (aim: half).

The float32 peak is cores x clock x FLOPs per cycle, with FLOPs per cycle = SIMD lanes
(16 with AVX-512, 8 with AVX2, 4 otherwise) x 2 (an FMA is two FLOPs) x 2 FMA units: an upper
bound (cores that split 512-bit FMAs in two reach half of it with AVX-512).

Every time is the MEDIAN of repeated interleaved timeit runs (machines are noisy). Ratios are
the median over rounds of the two libraries' times in the same round: PyTorch's time /
ferrograd's time for throughput rows (above 1: ferrograd is faster) and ferrograd / PyTorch
for the overhead row.

Reproduce: install ferrograd (``pip install .``) into a Python that also has torch, then

    python benchmarks/ops.py            # full run, a few minutes
    python benchmarks/ops.py --quick    # fewer repetitions
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import timeit

import ferrograd
import numpy as np
from _harness import Table, fmt_time, interleaved_runs, median_paired_ratio

try:
    import torch
except ImportError:  # PyTorch is optional: its columns then read n/a.
    torch = None


def cpu_peak_gflops() -> tuple[float, str]:
    """The float32 peak (GFLOP/s) from the core count, clock and widest SIMD of this CPU."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    flags, mhz = "", 0.0
    try:
        with open("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq") as f:
            mhz = int(f.read()) / 1000
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags") and not flags:
                    flags = line
                if line.startswith("cpu MHz") and not mhz:
                    mhz = float(line.split(":")[1])
    except OSError:
        pass
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    flops_per_cycle = lanes * 2 * 2
    peak = (cores or 1) * mhz / 1000 * flops_per_cycle
    how = f"{cores} cores x {mhz / 1000:.2f} GHz x {flops_per_cycle} FLOP/cycle"
    return peak, how


def libs() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = [("ferrograd", ferrograd)]
    if torch is not None:
        out.append(("torch", torch))
    return out


def envs_for(arrays: dict, transpose: bool = False) -> dict:
    """Per library: the numpy arrays as that library's tensors (transposed views if asked)."""
    envs = {}
    for name, lib in libs():
        env = {"lib": lib}
        for key, a in arrays.items():
            t = lib.from_numpy(a.copy())
            env[key] = t.t() if transpose else t
        envs[name] = env
    return envs


def timed(stmt: str, envs: dict, repeat: int, min_run_s: float) -> dict:
    """Per library its median seconds, or None where the statement fails (op missing); under
    "ratio", PyTorch's time over ferrograd's, the median of the rounds' ratios."""
    ok = {}
    for name, env in envs.items():
        try:
            timeit.Timer(stmt, globals=dict(env)).timeit(1)  # a trial run
            ok[name] = env
        except (AttributeError, TypeError, RuntimeError, NotImplementedError) as e:
            # An op not there yet: report it, don't crash the table.
            print(f"  [{name}] {stmt!r} failed: {type(e).__name__}: {e}", file=sys.stderr)
    runs = interleaved_runs(stmt, ok, repeat=repeat, min_run_s=min_run_s) if ok else {}
    res: dict = {name: statistics.median(runs[name]) if name in runs else None for name in envs}
    if "ferrograd" in runs and "torch" in runs:
        res["ratio"] = median_paired_ratio(runs["torch"], runs["ferrograd"])
    return res


def speed_row(
    table: Table, label: str, res: dict, work: float, unit: str, min_ratio: float, extra=None
):
    """A throughput row: work / time for each library, ratio PyTorch time / ferrograd time."""
    fg, pt = res.get("ferrograd"), res.get("torch")

    def rate(t):
        if t is None:
            return "n/a"
        text = f"{work / t / 1e9:.3g} {unit}"
        return text + (f" ({extra(t)})" if extra else "")

    ratio = res.get("ratio")
    table.add(
        label,
        rate(fg),
        rate(pt),
        f"{ratio:.2f}x" if ratio else "n/a",
        f">= {min_ratio:g}x PyTorch",
        None if ratio is None else ratio >= min_ratio,
    )


def bench_matmul(table: Table, repeat: int, min_run_s: float, peak: float) -> None:
    rng = np.random.default_rng(0)
    cases = [((n, n), (n, n), f"matmul {n}x{n} @ {n}x{n}") for n in (256, 1024, 2048)]
    cases.append(((64, 128, 128), (64, 128, 128), "batched matmul 64 x (128x128 @ 128x128)"))
    for sa, sb, label in cases:
        arrays = {"a": rng.random(sa, dtype=np.float32), "b": rng.random(sb, dtype=np.float32)}
        batch = sa[0] if len(sa) == 3 else 1
        m, k, n = sa[-2], sa[-1], sb[-1]
        flops = 2.0 * batch * m * k * n
        res = timed("lib.matmul(a, b)", envs_for(arrays), repeat, min_run_s)
        speed_row(
            table,
            f"`{label}`, float32",
            res,
            flops,
            "GFLOP/s",
            0.9,
            extra=lambda t, f=flops: f"{f / t / 1e9 / peak:.0%} of peak",
        )


def bench_elementwise(table: Table, repeat: int, min_run_s: float) -> None:
    rng = np.random.default_rng(1)
    arrays = {
        "a": rng.random((2048, 2048), dtype=np.float32),
        "b": rng.random((2048, 2048), dtype=np.float32),
    }
    n = 2048 * 2048
    for transpose in (False, True):
        envs = envs_for(arrays, transpose)
        layout = "transposed" if transpose else "contiguous"
        for label, stmt in (("a + b", "a + b"), ("a * b", "a * b"), ("exp(a)", "lib.exp(a)")):
            res = timed(stmt, envs, repeat, min_run_s)
            speed_row(table, f"`{label}`, 4M float32, {layout}", res, n, "Gelem/s", 0.9)


def bench_reductions(table: Table, repeat: int, min_run_s: float) -> None:
    rng = np.random.default_rng(2)
    arrays = {"a": rng.random((2048, 2048), dtype=np.float32)}
    envs = envs_for(arrays)
    n = 2048 * 2048
    for op in ("sum", "mean", "max"):
        for label, stmt in (
            (f"a.{op}()", f"a.{op}()"),
            (f"a.{op}(dim=0)", f"a.{op}(dim=0)"),
            (f"a.{op}(dim=1)", f"a.{op}(dim=1)"),
        ):
            res = timed(stmt, envs, repeat, min_run_s)
            speed_row(table, f"`{label}`, 2048x2048 float32", res, n, "Gelem/s", 0.8)


def bench_overhead(table: Table, repeat: int, min_run_s: float) -> None:
    arrays = {
        "a": np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32),
        "b": np.array([5.0, 6.0, 7.0, 8.0], dtype=np.float32),
    }
    res = timed("a + b", envs_for(arrays), repeat, min_run_s)
    fg, pt = res.get("ferrograd"), res.get("torch")
    ratio = 1 / res["ratio"] if "ratio" in res else None  # ferrograd's time over PyTorch's
    table.add(
        "`a + b`, 4-element float32 tensors (per-op overhead)",
        fmt_time(fg),
        fmt_time(pt),
        f"{ratio:.2f}x (fg/pt)" if ratio else "n/a",
        "<= 1.0x PyTorch's time (aim 0.5x)",
        None if ratio is None else ratio <= 1.0,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", choices=["matmul", "elementwise", "reductions", "overhead"])
    args = parser.parse_args()
    # Many short rounds: the two runs of a round are close in time, so their ratio is steady.
    repeat, min_run_s = (9, 0.03) if args.quick else (41, 0.05)
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)  # both libraries on every core
    peak, how = cpu_peak_gflops()

    table = Table(ratio_header="ratio")
    groups = {
        "matmul": lambda: bench_matmul(table, repeat, min_run_s, peak),
        "elementwise": lambda: bench_elementwise(table, repeat, min_run_s),
        "reductions": lambda: bench_reductions(table, repeat, min_run_s),
        "overhead": lambda: bench_overhead(table, repeat, min_run_s),
    }
    for name, run in groups.items():
        if args.only in (None, name):
            run()

    torch_info = (
        f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
        if torch is not None
        else "torch not installed (n/a)"
    )
    print(
        f"ferrograd {ferrograd.__version__}, {torch_info}, numpy {np.__version__}, "
        f"Python {platform.python_version()}"
    )
    print(f"Machine: {platform.machine()}, float32 peak {peak:.0f} GFLOP/s ({how})")
    print(
        f"Medians of {repeat} interleaved runs per cell; throughput ratio = PyTorch time / "
        f"ferrograd time in the same round, median over the rounds.\n"
    )
    print(table.render())
    missed = [name for name, ok in table.verdicts if ok is False]
    print()
    print("All targets met." if not missed else f"Targets missed: {len(missed)}")
    for name in missed:
        print(f"  - {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
