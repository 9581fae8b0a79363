"""The tutorials' workflow examples (images_cnn, text_sentiment, timeseries_lstm) run end to
end in fast mode, each in a fresh interpreter with a scratch folder as its working directory,
and reach their metrics. An example ends with lines such as `test_accuracy=0.9725`.

The thresholds sit well above chance and below what fast mode reaches (in brackets), so that
they catch a model that stopped learning without failing on the last digits of a kernel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
METRIC_LINE = re.compile(r"^([a-z_0-9]+)=([-+0-9.eE]+|nan)$", re.MULTILINE)


def run_example(
    name: str, cwd: Path, *args: str, unset: tuple[str, ...] = ()
) -> tuple[str, dict[str, float]]:
    """Runs examples/<name>.py in fast mode from `cwd`, plots into cwd/out, without the
    environment variables `unset`; returns its standard output and the `name=value` lines it
    printed."""
    env = dict(os.environ, MPLBACKEND="Agg", FERROGRAD_EXAMPLE_FAST="1")
    for variable in ("FERROGRAD_EXAMPLE_OUT", *unset):
        env.pop(variable, None)
    command = [sys.executable, str(EXAMPLES / f"{name}.py"), "--out", str(cwd / "out"), *args]
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout, {key: float(value) for key, value in METRIC_LINE.findall(done.stdout)}


def test_images_cnn(tmp_path):
    stdout, metrics = run_example("images_cnn", tmp_path)
    # Ten classes: chance is 0.1 (fast mode: 0.79 after 3 epochs on 1000 images).
    assert metrics["test_accuracy"] >= 0.5
    out = tmp_path / "out"
    assert sorted(p.name for p in (out / "digits_png" / "train").iterdir()) == list("0123456789")
    for name in ("images_cnn_batch.png", "images_cnn_loss.png", "images_cnn_accuracy.png"):
        assert (out / name).stat().st_size > 0, name
    assert "reloaded weights give the same predictions: True" in stdout
    assert "Conv2d-1                            [-1, 32, 30, 30]                  896" in stdout


def test_text_sentiment(tmp_path):
    stdout, metrics = run_example("text_sentiment", tmp_path, "--fast")
    # Balanced labels: chance is 0.5 for both (fast mode: accuracy 0.97, ROC-AUC 0.996).
    assert metrics["test_accuracy"] >= 0.75
    assert metrics["test_auc"] >= 0.85
    for metric in ("loss", "accuracy", "auc"):
        assert (tmp_path / "out" / f"text_sentiment_{metric}.png").stat().st_size > 0
    assert "Embedding-1                             [-1, 200, 3]               30,000" in stdout


def test_text_sentiment_reads_imdb_tsv(tmp_path):
    """A user's `data/imdb/{train,test}.tsv` (label TAB text) replaces the generated corpus."""
    folder = tmp_path / "data" / "imdb"
    folder.mkdir(parents=True)
    for name, rows in (("train.tsv", 60), ("test.tsv", 20)):
        lines = [
            f"{i % 2}\t{'A zebra-like treat!' if i % 2 else 'The quokka... was dull'} take {i}"
            for i in range(rows)
        ]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    stdout, metrics = run_example("text_sentiment", tmp_path)
    assert "reading data/imdb/train.tsv and test.tsv" in stdout
    # Tokenized ("zebra-like" -> "zebralike"), counted; words seen once ("take"'s numbers)
    # are left out by min_freq=2.
    assert "Vocab(size=10, default_index=0)" in stdout
    # Each review names its class: the model separates them almost at once.
    assert metrics["test_accuracy"] >= 0.9


def test_timeseries_lstm(tmp_path):
    stdout, metrics = run_example("timeseries_lstm", tmp_path)
    # Fast mode: 0.037 (a poor minimum that predicts a constant ratio is at 0.055).
    assert metrics["train_mspe"] <= 0.05
    # The first two forecast weeks against the simulation (fast mode: 14% off on average).
    assert metrics["forecast_mape_14d"] <= 0.3
    for name in ("timeseries_loss.png", "timeseries_forecast.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    assert "LSTM-1                                    [-1, 8, 3]                  480" in stdout


def test_timeseries_lstm_reads_user_csv(tmp_path):
    """A user's `data/covid-19.csv` (cumulative counts, here comma-separated) replaces the
    simulation; without the true future there is no forecast score."""
    (tmp_path / "data").mkdir()
    rows = ["date,confirmed_num,cured_num,dead_num"]
    confirmed = cured = dead = 0
    for day in range(30):
        # New counts a day rise then fall: 100, 110, ... peaking on day 15.
        new = 100 + 10 * min(day, 30 - day)
        confirmed, cured, dead = confirmed + new, cured + new // 2, dead + new // 20
        rows.append(f"{date(2020, 1, 20) + timedelta(days=day)},{confirmed},{cured},{dead}")
    (tmp_path / "data" / "covid-19.csv").write_text("\n".join(rows) + "\n")
    stdout, metrics = run_example("timeseries_lstm", tmp_path)
    assert "reading data/covid-19.csv" in stdout
    assert "forecast_mape_14d" not in metrics
    # Day-to-day changes are at most 10%, so even a constant-ratio forecast is close.
    assert metrics["train_mspe"] <= 0.05


def test_gpu_example_trains_on_the_gpu_when_there_is_one(tmp_path):
    import ferrograd

    # As a user runs it: a software adapter is not a GPU (its kernels would take minutes here).
    stdout, metrics = run_example("gpu", tmp_path, unset=("FERROGRAD_WGPU_SOFTWARE",))
    hardware = ferrograd.wgpu.is_available() and not ferrograd._C._wgpu_is_software()
    device = "wgpu:0" if hardware else "cpu"
    assert f"training on {device}" in stdout and f"parameters on {device}" in stdout
    # Ten classes: chance is 0.1 (the images example reaches 0.79 in fast mode).
    assert metrics["test_accuracy"] >= 0.5
