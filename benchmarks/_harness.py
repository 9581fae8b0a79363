"""Timing and reporting shared by the benchmark scripts: interleaved timeit medians (these
machines are noisy, so both libraries of a ratio run alternately and medians are reported) and
a Markdown table with a target and a verdict per row."""

from __future__ import annotations

import statistics
import time
import timeit

INFO = "(informational)"

# Idle time before each run, so that one library's threads have stopped spinning before the
# other's run starts. Both keep their worker threads spinning after a parallel kernel, to
# start the next one without a wake-up: PyTorch's OpenMP threads for about 10 ms (measured:
# a whole core busy for 10 ms after its last kernel), ferrograd's for 0.5 ms. Run straight
# after a PyTorch run, a ferrograd run shared its two cores with a spinning thread for that
# time, a fifth of a 50 ms run; a program that uses one library alone never pays this.
SETTLE_S = 0.03


def calibrate(timer: timeit.Timer, min_run_s: float) -> int:
    """A loop count for which one run of ``timer`` lasts at least ``min_run_s``."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_run_s:
            return number
        # Aim a little above the target so that one more round is usually enough.
        number = max(number * 2, int(number * 1.2 * min_run_s / max(elapsed, 1e-9)))


def interleaved_runs(
    stmt: str, envs: dict, *, repeat: int, min_run_s: float, settle_s: float = SETTLE_S
) -> dict:
    """Seconds per execution of ``stmt`` under each of ``envs`` (name -> globals), one entry
    per round.

    timeit-style: each loop count is calibrated so that one run lasts at least ``min_run_s``.
    The libraries are then run *interleaved*, ``repeat`` rounds of one run each, so that
    background load on a noisy machine hits both sides of a ratio alike; each run starts after
    ``settle_s`` of idle time.
    """
    timers = {name: timeit.Timer(stmt, globals=env) for name, env in envs.items()}
    numbers = {name: calibrate(timer, min_run_s) for name, timer in timers.items()}
    runs: dict = {name: [] for name in timers}
    for _ in range(repeat):
        for name, timer in timers.items():
            time.sleep(settle_s)
            runs[name].append(timer.timeit(numbers[name]) / numbers[name])
    return runs


def median_times(stmt: str, envs: dict, *, repeat: int, min_run_s: float) -> dict:
    """Median seconds per execution of ``stmt`` under each of ``envs`` (see interleaved_runs)."""
    runs = interleaved_runs(stmt, envs, repeat=repeat, min_run_s=min_run_s)
    return {name: statistics.median(r) for name, r in runs.items()}


def median_paired_ratio(numerator: list[float], denominator: list[float]) -> float:
    """The median over rounds of one library's time over the other's in the same round.

    The two runs of a round are a fraction of a second apart, so a load that comes and goes
    over seconds (the usual noise on a shared machine) scales both alike and cancels in their
    ratio; the ratio of two separately taken medians does not cancel it.
    """
    return statistics.median(n / d for n, d in zip(numerator, denominator))


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_ratio(fg: float | None, pt: float | None) -> str:
    if fg is None or pt is None or pt == 0:
        return "n/a"
    return f"{fg / pt:.2f}x"


def verdict(ok: bool | None) -> str:
    if ok is None:
        return "n/a"
    return "yes" if ok else "**NO**"


# --------------------------------------------------------------------------- benchmark rows


class Table:
    def __init__(
        self, ratio_header: str = "ratio fg/pt", columns: tuple[str, str] = ("ferrograd", "PyTorch")
    ) -> None:
        # `columns` names the two figure columns (the GPU script compares ferrograd on the GPU
        # with PyTorch CUDA in some rows and with ferrograd's CPU in others).
        self.ratio_header = ratio_header
        self.columns = columns
        self.rows: list[tuple[str, ...]] = []
        self.verdicts: list[tuple[str, bool | None]] = []

    def add(self, name: str, fg: str, pt: str, ratio: str, target: str, ok: bool | None) -> None:
        met = "-" if target == INFO else verdict(ok)
        self.rows.append((name, fg, pt, ratio, target, met))
        self.verdicts.append((name, ok))

    def render(self) -> str:
        header = ("Benchmark", *self.columns, self.ratio_header, "target", "met")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

        sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([line(header), sep, *(line(r) for r in self.rows)])
