"""The progress bar `Model.fit` draws for each epoch, and the one-line epoch report.

On a terminal the bar is redrawn in place with a carriage return, in tqdm's layout:
`Epoch 1/5:  40%|████      | 8/20 [00:01<00:01, 7.93it/s, loss=0.6931, accuracy=0.5000]`.
When the output is not a terminal (a file, a pipe, a test's captured output) a redrawn line
would pile up as garbage, so nothing is drawn while the epoch runs and one line is written at
its end instead.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Mapping
from typing import IO

__all__ = ["ProgressBar", "format_interval", "format_metrics", "format_value", "is_terminal"]


def is_terminal(file: IO[str]) -> bool:
    """Whether `file` is an interactive terminal (a closed or odd stream counts as not one)."""
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def format_interval(seconds: float) -> str:
    """`MM:SS`, or `H:MM:SS` past an hour, as tqdm prints elapsed and remaining time."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours:d}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def format_value(value: float) -> str:
    """Four decimals, or scientific notation where four decimals would hide the value."""
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.3e}"


def format_metrics(metrics: Mapping[str, float]) -> str:
    """`loss=0.6931, accuracy=0.5000`."""
    return ", ".join(f"{name}={format_value(value)}" for name, value in metrics.items())


def _format_rate(steps: int, elapsed: float) -> str:
    """Steps a second, or seconds a step when a step takes longer than a second (as tqdm)."""
    if steps == 0 or elapsed <= 0:
        return "?it/s"
    rate = steps / elapsed
    return f"{rate:.2f}it/s" if rate >= 1 else f"{1 / rate:.2f}s/it"


class ProgressBar:
    """One epoch's bar: `update(steps, metrics)` after each step, `close(metrics)` at the end.

    `live` draws the bar in place (a terminal); otherwise only `close` writes, one line.
    `total` is the number of steps, or None when the loader has no length (then the bar shows
    a step count and rate only). `refresh_every` redraws every that many steps (and always at
    the last one), which is what `fit(log_step_freq=...)` sets.
    """

    def __init__(
        self,
        total: int | None,
        desc: str = "",
        file: IO[str] | None = None,
        live: bool | None = None,
        refresh_every: int = 1,
    ) -> None:
        self.total = total
        self.desc = desc
        self.file = sys.stdout if file is None else file
        self.live = is_terminal(self.file) if live is None else live
        self.refresh_every = max(1, int(refresh_every))
        self.steps = 0
        self.start = time.perf_counter()
        self._drawn_width = 0
        encoding = (getattr(self.file, "encoding", None) or "").lower()
        # Block characters where the stream can encode them, '#' otherwise.
        self._fill = "█" if encoding.startswith("utf") else "#"

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def update(self, steps: int, metrics: Mapping[str, float] | None = None) -> None:
        """Records that `steps` steps are done and redraws when it is time to."""
        self.steps = steps
        last = self.total is not None and steps >= self.total
        if self.live and (steps % self.refresh_every == 0 or last):
            self._draw(self.render(metrics or {}))

    def close(self, metrics: Mapping[str, float] | None = None) -> None:
        """Finishes the epoch: the final bar (live) or the one summary line (not live)."""
        metrics = metrics or {}
        if self.live:
            self._draw(self.render(metrics))
            self.file.write("\n")
        else:
            self.file.write(self.summary_line(metrics) + "\n")
        self.file.flush()

    def render(self, metrics: Mapping[str, float]) -> str:
        """The bar's text for the current step, fitted to the terminal's width."""
        elapsed = self.elapsed()
        rate = _format_rate(self.steps, elapsed)
        postfix = format_metrics(metrics)
        postfix = ", " + postfix if postfix else ""
        prefix = f"{self.desc}: " if self.desc else ""
        if not self.total:
            return f"{prefix}{self.steps}it [{format_interval(elapsed)}, {rate}{postfix}]"
        fraction = min(1.0, self.steps / self.total)
        remaining = elapsed / self.steps * (self.total - self.steps) if self.steps else 0.0
        head = f"{prefix}{fraction * 100:3.0f}%|"
        tail = (
            f"| {self.steps}/{self.total} [{format_interval(elapsed)}<"
            f"{format_interval(remaining)}, {rate}{postfix}]"
        )
        # The bar takes what the terminal leaves, between 5 and 25 cells: a line longer than
        # the terminal wraps, and a carriage return cannot go back up to erase it.
        columns = shutil.get_terminal_size((100, 20)).columns
        width = max(5, min(25, columns - 1 - len(head) - len(tail)))
        filled = int(fraction * width)
        return head + self._fill * filled + " " * (width - filled) + tail

    def summary_line(self, metrics: Mapping[str, float]) -> str:
        """`Epoch 1/5: 20/20 steps [00:02, 9.87it/s], loss=0.6931, val_loss=0.6824`."""
        prefix = f"{self.desc}: " if self.desc else ""
        count = f"{self.steps}/{self.total}" if self.total else f"{self.steps}"
        timing = f"[{format_interval(self.elapsed())}, {_format_rate(self.steps, self.elapsed())}]"
        postfix = format_metrics(metrics)
        return f"{prefix}{count} steps {timing}" + (", " + postfix if postfix else "")

    def _draw(self, line: str) -> None:
        # Pad with spaces to erase the end of a longer line drawn before.
        padding = " " * max(0, self._drawn_width - len(line))
        self.file.write("\r" + line + padding)
        self.file.flush()
        self._drawn_width = len(line)
