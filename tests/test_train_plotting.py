"""ferrograd.train plots: PNG files of training curves where there is no display.

The tests run without a display, where matplotlib picks its file-only Agg backend; that is
the case these functions handle by saving a PNG and returning its path.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from ferrograd.train import history_plot, plot_metric

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _history(with_val: bool = True) -> pd.DataFrame:
    data = {"epoch": [1, 2, 3], "loss": [0.9, 0.5, 0.3], "accuracy": [0.6, 0.8, 0.9]}
    if with_val:
        data.update({"val_loss": [1.0, 0.6, 0.4], "val_accuracy": [0.5, 0.7, 0.85]})
    return pd.DataFrame(data)


@pytest.fixture
def headless(monkeypatch):
    """Agg, as matplotlib chooses it without a display (whatever the machine has)."""
    import matplotlib

    monkeypatch.setenv("MPLBACKEND", "Agg")
    matplotlib.use("Agg")


def test_plot_metric_writes_a_png(tmp_path, headless):
    path = tmp_path / "loss.png"
    assert plot_metric(_history(), "loss", path=path) == str(path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_plot_metric_default_file_name_and_training_only_history(tmp_path, headless, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert plot_metric(_history(with_val=False), "accuracy") == "accuracy.png"
    assert (tmp_path / "accuracy.png").read_bytes()[:8] == PNG_SIGNATURE


def test_plot_metric_draws_train_and_validation_curves(headless, monkeypatch):
    from matplotlib.figure import Figure

    saved = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: saved.append(self))
    plot_metric(_history(), "accuracy", path="unused.png")
    (axes,) = saved[0].axes
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == ["train_accuracy", "val_accuracy"]
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    assert list(lines[1].get_ydata()) == [0.5, 0.7, 0.85]
    assert axes.get_title() == "Training and validation accuracy"


def test_history_plot_one_panel_a_metric(tmp_path, headless):
    path = history_plot(_history(), path=tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:8] == PNG_SIGNATURE
    assert path == str(tmp_path / "history.png")


def test_unknown_metric_names_the_columns(headless):
    with pytest.raises(KeyError, match="no column 'auc'"):
        plot_metric(_history(), "auc", path="unused.png")


def test_importing_ferrograd_loads_neither_pandas_nor_matplotlib():
    code = (
        "import sys, ferrograd, ferrograd.train; "
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False False"


def test_with_a_display_the_figure_is_shown_and_saved_only_when_asked(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt
    from ferrograd.train import plotting

    shown = []
    monkeypatch.setattr(plotting, "_interactive", lambda: True)
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.gcf()))
    monkeypatch.chdir(tmp_path)
    assert plot_metric(_history(), "loss") is None
    assert list(tmp_path.iterdir()) == []  # shown, not saved
    assert plot_metric(_history(), "loss", path="kept.png") == "kept.png"
    assert (tmp_path / "kept.png").read_bytes()[:8] == PNG_SIGNATURE
    assert len(shown) == 2 and shown[0].axes[0].get_ylabel() == "loss"
    plt.close("all")
