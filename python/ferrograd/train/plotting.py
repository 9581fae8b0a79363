"""Training curves from a `fit` history: `plot_metric` (one metric) and `history_plot` (several).

Each metric is drawn as the tutorials draw it: training values as blue dashed circles,
validation values as a red solid line, against the epoch. matplotlib is imported only when a
plot is asked for.

Where the figure goes depends on matplotlib's backend. With an interactive one (a desktop
window, a notebook) the figure is shown, and saved too if `path` is given. Without a display
matplotlib runs the non-interactive Agg backend, where showing does nothing: the figure is
saved as a PNG file instead (`path`, or `<metric>.png` in the working folder). Either way the
functions return the path of the file written, or None when the figure was only shown
(returning the figure itself would make a notebook draw it a second time).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

__all__ = ["history_plot", "plot_metric"]

# matplotlib's backends that draw to files only.
_FILE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def _interactive() -> bool:
    """Whether matplotlib can show a figure here (choosing its backend if it has not yet)."""
    import matplotlib

    return matplotlib.get_backend().lower() not in _FILE_BACKENDS


def _column(history: Any, name: str) -> list[float]:
    try:
        return [float(value) for value in history[name]]
    except KeyError:
        columns = ", ".join(str(c) for c in history.columns)
        raise KeyError(f"the history has no column {name!r} (its columns: {columns})") from None


def _draw(axes: Any, history: Any, metric: str) -> None:
    """One metric's training curve and, where the history has one, its validation curve."""
    from matplotlib.ticker import MaxNLocator

    train = _column(history, metric)
    epochs = _column(history, "epoch") if "epoch" in history.columns else range(1, len(train) + 1)
    axes.plot(epochs, train, "bo--", label="train_" + metric)
    if "val_" + metric in history.columns:
        axes.plot(epochs, _column(history, "val_" + metric), "ro-", label="val_" + metric)
        axes.set_title("Training and validation " + metric)
    else:
        axes.set_title("Training " + metric)
    axes.set_xlabel("Epochs")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 1.25
    axes.set_ylabel(metric)
    axes.legend()


def _new_figure(interactive: bool, **options: Any) -> Any:
    """A pyplot figure where it can be shown; otherwise a bare Figure that pyplot does not
    track (so that plots made in a loop are freed and no backend is switched)."""
    if interactive:
        import matplotlib.pyplot as plt

        return plt.figure(**options)
    from matplotlib.figure import Figure

    return Figure(**options)


def _finish(figure: Any, interactive: bool, path: Any, default_name: str) -> str | None:
    """Saves and/or shows the figure; returns the path written, if any."""
    if path is not None or not interactive:
        path = os.fspath(path) if path is not None else default_name
        figure.savefig(path, format="png")
    if interactive:
        import matplotlib.pyplot as plt

        plt.show()
    return path


def plot_metric(history: Any, metric: str, path: str | os.PathLike | None = None) -> str | None:
    """Draws `metric` and `val_<metric>` of a `fit` history against the epoch.

    `path` saves a PNG there; without a display one is saved anyway (as `<metric>.png`).
    Returns the path written, or None when the figure was only shown (see the module's note).
    """
    interactive = _interactive()
    figure = _new_figure(interactive)
    _draw(figure.add_subplot(1, 1, 1), history, metric)
    return _finish(figure, interactive, path, f"{metric}.png")


def history_plot(
    history: Any, metrics: Sequence[str] | None = None, path: str | os.PathLike | None = None
) -> str | None:
    """Draws several metrics side by side, one panel each (default: every training column).

    Returns like `plot_metric`; the default file name is `history.png`.
    """
    if metrics is None:
        metrics = [c for c in history.columns if c != "epoch" and not str(c).startswith("val_")]
    if isinstance(metrics, str):
        metrics = [metrics]
    if not metrics:
        raise ValueError("history_plot(): no metric to draw")
    interactive = _interactive()
    figure = _new_figure(interactive, figsize=(5 * len(metrics), 4))
    for index, metric in enumerate(metrics, start=1):
        _draw(figure.add_subplot(1, len(metrics), index), history, metric)
    figure.tight_layout()
    return _finish(figure, interactive, path, "history.png")
