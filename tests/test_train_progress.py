"""ferrograd.train progress output: a live bar on a terminal, one line an epoch elsewhere."""

from __future__ import annotations

import io
import re

import ferrograd as torch
from ferrograd import nn
from ferrograd.train import Model, ProgressBar, binary_accuracy
from ferrograd.train.progress import format_interval, format_value


class FakeTerminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self):
        return True


def _compiled_model():
    torch.manual_seed(0)
    model = Model(nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()))
    model.compile(nn.BCELoss(), metrics_dict={"accuracy": binary_accuracy})
    x = torch.randn(30, 2)
    y = (x[:, 0] > 0).float().reshape(-1, 1)
    batches = [(x[i : i + 10], y[i : i + 10]) for i in range(0, 30, 10)]
    return model, batches


def test_not_a_terminal_gives_one_line_an_epoch():
    model, batches = _compiled_model()
    out = io.StringIO()
    model.fit(3, batches, dl_val=batches[:1], file=out)
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) == 3
    pattern = (
        r"Epoch {}/3: 3/3 steps \[\d\d:\d\d, [\d.]+(it/s|s/it)\], loss=\d\.\d{{4}}, "
        r"accuracy=\d\.\d{{4}}, val_loss=\d\.\d{{4}}, val_accuracy=\d\.\d{{4}}"
    )
    for epoch, line in enumerate(lines, start=1):
        assert re.fullmatch(pattern.format(epoch), line), line


def test_verbose_zero_writes_nothing_and_two_writes_lines_even_on_a_terminal():
    model, batches = _compiled_model()
    out = FakeTerminal()
    model.fit(2, batches, file=out, verbose=0)
    assert out.getvalue() == ""
    model.fit(2, batches, file=out, verbose=2)
    assert "\r" not in out.getvalue() and len(out.getvalue().splitlines()) == 2


def test_terminal_gets_a_live_bar_redrawn_in_place():
    model, batches = _compiled_model()
    out = FakeTerminal()
    model.fit(2, batches, dl_val=batches[:1], file=out)
    text = out.getvalue()
    assert text.count("\n") == 2  # one finished bar an epoch
    first_epoch = text.split("\n")[0]
    frames = first_epoch.split("\r")[1:]
    # Steps 1, 2, 3, then the final frame with the validation values added.
    assert [re.search(r"\| (\d)/3 \[", f).group(1) for f in frames] == ["1", "2", "3", "3"]
    assert frames[0].startswith("Epoch 1/2:  33%|")
    assert frames[-1].startswith("Epoch 1/2: 100%|")
    assert "val_loss=" in frames[-1] and "val_loss=" not in frames[2]
    assert "accuracy=" in frames[0]


def test_log_step_freq_redraws_every_that_many_steps():
    model, batches = _compiled_model()
    out = FakeTerminal()
    model.fit(1, batches * 2, file=out, log_step_freq=4)  # 6 steps: frames at 4, 6, end
    frames = out.getvalue().split("\r")[1:]
    assert [re.search(r"\| (\d)/6 \[", f).group(1) for f in frames] == ["4", "6", "6"]


def test_bar_without_a_length_and_the_formats():
    out = FakeTerminal()
    bar = ProgressBar(None, desc="Epoch 1/1", file=out)
    assert bar.live
    bar.update(5, {"loss": 0.25})
    assert re.fullmatch(r"\rEpoch 1/1: 5it \[00:00, [\d.]+it/s, loss=0\.2500\]", out.getvalue()), (
        out.getvalue()
    )
    # A shorter frame pads with spaces over the end of the longer one before it.
    bar._draw("short")
    assert out.getvalue().endswith("\rshort" + " " * (len(out.getvalue().split("\r")[1]) - 5))
    quiet = io.StringIO()
    bar = ProgressBar(4, desc="Epoch 2/3", file=quiet)
    assert not bar.live
    bar.update(4, {"loss": 1.0})
    assert quiet.getvalue() == ""  # nothing until the epoch ends
    assert format_interval(59.9) == "00:59" and format_interval(3725) == "1:02:05"
    assert format_value(0.5) == "0.5000" and format_value(1.5e-5) == "1.500e-05"
    assert format_value(0) == "0.0000"
