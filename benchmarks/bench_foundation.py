"""Foundation benchmarks: ferrograd next to PyTorch, in the same process.

Measures the performance targets of the foundation layer (tensor creation, numpy interop,
import cost) and prints a Markdown table that can be pasted into the README:

1. ``from_numpy(a)`` for float32 arrays of 1e3, 1e5 and 1e7 elements (zero copy: constant time).
2. ``t.numpy()`` for the same sizes (zero copy: constant time).
3. ``tensor(list_of_100k_python_floats)``: within 1.5x of PyTorch.
4. ``t = tensor([1.0, 2.0, 3.0, 4.0]); t.shape``: at most PyTorch's time.
5. ``import ferrograd`` in a fresh interpreter: under 0.2 s and under 60 MB of RSS above a bare
   interpreter, without pulling in pandas, matplotlib or PIL.

Every time is the MEDIAN over repeated timeit-style runs (machines are noisy); ratios are
ferrograd / PyTorch, so below 1 means ferrograd is faster.

PyTorch is optional and never a dependency of ferrograd: when ``import torch`` fails its
columns read ``n/a`` (the targets that are relative to PyTorch then read ``n/a`` as well).

Reproduce: install ferrograd (``pip install .`` from the repository root) into a Python that
also has torch installed, then run

    python benchmarks/bench_foundation.py            # full run, about a minute
    python benchmarks/bench_foundation.py --quick    # fewer repetitions, a few seconds
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

import ferrograd
import numpy as np
from _harness import INFO, Table, fmt_ratio, fmt_time, median_times

try:
    import torch
except ImportError:  # PyTorch is optional: its columns then read n/a.
    torch = None

SIZES = (1_000, 100_000, 10_000_000)
CONSTANT_TIME_FACTOR = 3.0  # "constant time": at most this times the time at 1e3 elements
FORBIDDEN_MODULES = ("pandas", "matplotlib", "PIL")


def libs() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = [("ferrograd", ferrograd)]
    if torch is not None:
        out.append(("torch", torch))
    return out


def bench_zero_copy(table: Table, repeat: int, min_run_s: float) -> None:
    """Rows 1 and 2: from_numpy(a) and t.numpy() must be constant time (zero copy)."""
    arrays = {n: np.random.default_rng(0).random(n, dtype=np.float32) for n in SIZES}

    # Correctness of "zero copy": the results share memory with their source.
    shares_from: dict[str, bool] = {}
    shares_numpy: dict[str, bool] = {}
    for name, lib in libs():
        ok_from = ok_numpy = True
        for a in arrays.values():
            t = lib.from_numpy(a)
            ok_from &= t.data_ptr() == a.ctypes.data
            ok_numpy &= t.numpy().ctypes.data == t.data_ptr()
        shares_from[name] = ok_from
        shares_numpy[name] = ok_numpy

    for op, stmt, shares in (
        ("from_numpy(a)", "lib.from_numpy(a)", shares_from),
        ("t.numpy()", "t.numpy()", shares_numpy),
    ):
        times: dict[str, dict[int, float]] = {name: {} for name, _ in libs()}
        for n, a in arrays.items():
            envs = {name: {"lib": lib, "a": a, "t": lib.from_numpy(a)} for name, lib in libs()}
            for name, sec in median_times(stmt, envs, repeat=repeat, min_run_s=min_run_s).items():
                times[name][n] = sec
        for n in SIZES:
            fg = times["ferrograd"][n]
            pt = times["torch"][n] if torch is not None else None
            base = times["ferrograd"][SIZES[0]]
            if n == SIZES[0]:
                target = "zero copy (shares memory)"
                ok = shares["ferrograd"]
            else:
                target = f"O(1): <= {CONSTANT_TIME_FACTOR:g}x the 1e3 time"
                ok = shares["ferrograd"] and fg <= CONSTANT_TIME_FACTOR * base
            table.add(
                f"`{op}`, float32, {n:.0e} elements".replace("e+0", "e"),
                fmt_time(fg),
                fmt_time(pt),
                fmt_ratio(fg, pt),
                target,
                ok,
            )


def bench_creation(table: Table, repeat: int, min_run_s: float) -> None:
    """Rows 3 and 4: tensor(list of 100k floats) and a tiny tensor plus .shape."""
    floats = np.random.default_rng(1).random(100_000).tolist()
    cases = (
        (
            "`tensor(list of 100k Python floats)`",
            "lib.tensor(floats)",
            1.5,
            "<= 1.5x PyTorch",
        ),
        (
            "`t = tensor([1.0, 2.0, 3.0, 4.0]); t.shape`",
            "t = lib.tensor([1.0, 2.0, 3.0, 4.0]); t.shape",
            1.0,
            "<= 1.0x PyTorch",
        ),
    )
    for label, stmt, max_ratio, target in cases:
        envs = {name: {"lib": lib, "floats": floats} for name, lib in libs()}
        res = median_times(stmt, envs, repeat=repeat, min_run_s=min_run_s)
        fg, pt = res["ferrograd"], res.get("torch")
        ok = None if pt is None else fg <= max_ratio * pt
        table.add(label, fmt_time(fg), fmt_time(pt), fmt_ratio(fg, pt), target, ok)


CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
{stmt}
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.platform == "darwin":  # bytes there, KB on Linux
    rss //= 1024
forbidden = [m for m in {forbidden!r} if m in sys.modules]
print(json.dumps({{"import_s": dt, "maxrss_kb": rss, "forbidden": forbidden}}))
"""


def run_child(stmt: str) -> dict:
    """Run ``stmt`` in a fresh interpreter and read back its import time and peak RSS.

    On Linux a process's ``ru_maxrss`` survives ``execve``: a child forked straight from this
    (large) benchmark process would report *our* RSS as its peak. So on POSIX the child is
    started through ``/bin/sh``, which forks it: the child then starts from the shell's tiny
    high-water mark, and the bare-interpreter baseline is measured the same way.
    """
    code = CHILD.format(stmt=stmt, forbidden=FORBIDDEN_MODULES)
    argv = [sys.executable, "-c", code]
    if os.name == "posix" and os.path.exists("/bin/sh"):
        # "; exit $?" stops the shell from exec'ing the last command in place of forking it.
        argv = ["/bin/sh", "-c", '"$0" -c "$1"; exit $?', sys.executable, code]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure_imports(stmts: dict, runs: int) -> dict:
    """Median import time and peak RSS of each statement in ``stmts`` (name -> statement).

    Fresh interpreters, one warm-up each (bytecode and page caches, not measured), then
    ``runs`` rounds that interleave the statements so that background load hits all alike.
    """
    for stmt in stmts.values():
        run_child(stmt)
    samples: dict = {name: [] for name in stmts}
    for _ in range(runs):
        for name, stmt in stmts.items():
            samples[name].append(run_child(stmt))
    return {
        name: {
            "import_s": statistics.median(s["import_s"] for s in ss),
            "maxrss_kb": statistics.median(s["maxrss_kb"] for s in ss),
            "forbidden": sorted({m for s in ss for m in s["forbidden"]}),
        }
        for name, ss in samples.items()
    }


def bench_import(table: Table, runs: int) -> None:
    """Row 5: import time and RSS of a fresh interpreter, against a bare interpreter."""
    stmts = {"bare": "pass", "numpy": "import numpy", "ferrograd": "import ferrograd"}
    if torch is not None:
        stmts["torch"] = "import torch"
    res = measure_imports(stmts, runs)
    bare, np_only, fg, pt = res["bare"], res["numpy"], res["ferrograd"], res.get("torch")

    def mb(kb: float) -> float:
        return kb / 1024

    table.add(
        "`import` wall time (fresh interpreter)",
        fmt_time(fg["import_s"]),
        fmt_time(pt["import_s"]) if pt else "n/a",
        fmt_ratio(fg["import_s"], pt["import_s"] if pt else None),
        "< 0.2 s",
        fg["import_s"] < 0.2,
    )
    table.add(
        "`import numpy` wall time (ferrograd's one dependency)",
        fmt_time(np_only["import_s"]),
        "-",
        "-",
        INFO,
        None,
    )
    fg_delta = mb(fg["maxrss_kb"] - bare["maxrss_kb"])
    pt_delta = mb(pt["maxrss_kb"] - bare["maxrss_kb"]) if pt else None
    table.add(
        f"`import` peak RSS above bare interpreter ({mb(bare['maxrss_kb']):.1f} MB)",
        f"{fg_delta:.1f} MB",
        f"{pt_delta:.1f} MB" if pt_delta is not None else "n/a",
        f"{fg_delta / pt_delta:.2f}x" if pt_delta else "n/a",
        "< 60 MB",
        fg_delta < 60,
    )
    table.add(
        "`import` peak RSS, absolute",
        f"{mb(fg['maxrss_kb']):.1f} MB",
        f"{mb(pt['maxrss_kb']):.1f} MB" if pt else "n/a",
        f"{fg['maxrss_kb'] / pt['maxrss_kb']:.2f}x" if pt else "n/a",
        INFO,
        None,
    )
    names = ", ".join(FORBIDDEN_MODULES)
    table.add(
        f"{names} in `sys.modules` after `import`",
        ", ".join(fg["forbidden"]) or "none",
        (", ".join(pt["forbidden"]) or "none") if pt else "n/a",
        "-",
        "none",
        not fg["forbidden"],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a few seconds)")
    args = parser.parse_args()
    repeat, min_run_s, import_runs = (5, 0.02, 3) if args.quick else (15, 0.1, 9)

    table = Table()
    bench_zero_copy(table, repeat, min_run_s)
    bench_creation(table, repeat, min_run_s)
    bench_import(table, import_runs)

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    torch_info = (
        f"torch {torch.__version__} ({torch.get_num_threads()} intra-op threads)"
        if torch is not None
        else "torch not installed (n/a)"
    )
    print(
        f"ferrograd {ferrograd.__version__}, {torch_info}, numpy {np.__version__}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"Machine: {platform.machine()} {platform.system()}, {platform.processor() or 'cpu'}; "
        f"CPU count: {os.cpu_count()} (usable: {affinity if affinity is not None else 'n/a'})"
    )
    print(
        f"Medians of {repeat} timeit runs per cell ({import_runs} fresh interpreters for "
        f"imports){' [--quick]' if args.quick else ''}; ratio = ferrograd / PyTorch.\n"
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
