"""The basic examples run end to end: quickstart, autograd_tour, structured_titanic, mnist_mlp
and cifar_lenet, each in fast mode in a fresh process (working folder and outputs in a
temporary folder, so the synthetic data stand-ins are used), reaching the metric they print.

The metric thresholds are for the fast mode (a few epochs on a slice of the data) and leave a
margin below what the examples reach, so that another thread count (float sums in another
order) does not fail them. The printed values checked exactly were recorded from PyTorch,
running the same example with `import torch`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import ferrograd

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# The subprocess imports the same ferrograd as this test process.
PACKAGE_ROOT = str(Path(ferrograd.__file__).resolve().parent.parent)


def run_example(name: str, tmp_path: Path) -> tuple[str, Path]:
    """Runs examples/<name>.py in fast mode from `tmp_path`; returns (its output, out folder)."""
    out = tmp_path / "out"
    env = dict(os.environ)
    env.update(
        FERROGRAD_EXAMPLE_FAST="1",
        FERROGRAD_EXAMPLE_OUT=str(out),
        MPLBACKEND="Agg",
        PYTHONPATH=os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")])),
    )
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py")],
        cwd=tmp_path,
        env=env,
        check=False,  # the return code is asserted below, with the output
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return result.stdout, out


def metric(output: str, name: str) -> float:
    """The value of the last `name=value` line of the output."""
    values = re.findall(rf"^{name}=([-0-9.]+)$", output, flags=re.MULTILINE)
    assert values, f"no {name}= line in:\n{output[-2000:]}"
    return float(values[-1])


def test_quickstart(tmp_path):
    output, _ = run_example("quickstart", tmp_path)
    # The first half (tensors, views, autograd) ran: loss = mean((x @ w)^2) once x[:, 0] = -1
    # gives x @ w = [-3.5, 8.5, 20.5], whose squares average 134.25.
    assert "tensor(134.2500, grad_fn=<MeanBackward0>) PowBackward0" in output
    # y = 3x - 1 + noise: the fitted line is close to it, the loss near the noise's 0.01.
    assert "Linear(in_features=1, out_features=1, bias=True)" in output
    assert metric(output, "final_loss") < 0.02


def test_autograd_tour(tmp_path):
    output, _ = run_example("autograd_tour", tmp_path)
    # Hooks on y1 = x + 1 and y2 = 2x: y2's node is the newer, so its hook runs first;
    # loss = (y1 - y2)^2 at x = 3 gives dloss/dy1 = 2(y1 - y2) = -4, dloss/dy2 = 4.
    assert "y2 grad:  tensor(4.)\ny1 grad:  tensor(-4.)\n" in output
    order = "pre 0 -> fwd 0 -> pre 1 -> fwd 1 -> pre 2 -> fwd 2 -> bwd 2 -> bwd 1 -> bwd 0"
    assert order in output
    # MyReLU on X @ w.T + b = [[-1], [7]]: only the second row passes. loss = mean over the
    # four elements of (Y_hat - Y)^2 with Y = [[2, 3]]: d loss / d Y_hat[1] = 2 (5 + 4) / 4
    # = 4.5, times X's second row [1, 1] for w.grad, once for b.grad.
    assert "tensor([[4.5000, 4.5000]])\ntensor([[4.5000]])\nMyReLUBackward" in output
    assert "third hook sees the replacement tensor([10., 10.])" in output
    # SGD on x^2 - 2x + 1 from 0, 500 steps of lr 0.01: x = 1 - 0.98^500, 1 to 4 decimals.
    assert abs(metric(output, "minimum_x") - 1.0) < 1e-3


def test_structured_titanic(tmp_path):
    output, out = run_example("structured_titanic", tmp_path)
    assert "x_train.shape = (712, 15)" in output
    assert "reloaded model gives the same predictions: True" in output
    for name in ("titanic_loss.png", "titanic_accuracy.png", "net_parameter.pt", "net_model.pt"):
        assert (out / name).stat().st_size > 0, name
    # Three epochs: about 0.74 (0.72 to 0.77 over seeds); always predicting "died": 0.63.
    assert metric(output, "val_accuracy") > 0.68


def test_mnist_mlp(tmp_path):
    output, out = run_example("mnist_mlp", tmp_path)
    assert "Shape of X [N, C, H, W]: ferrograd.Size([64, 1, 28, 28])" in output
    assert (out / "mnist_mlp.pt").exists()
    # Three epochs over the digits' 1438 training images: about 0.70; chance is 0.1.
    assert metric(output, "test_accuracy") > 0.5


def test_cifar_lenet(tmp_path):
    output, out = run_example("cifar_lenet", tmp_path)
    assert "(pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)" in (
        output
    )
    assert (out / "cifar_batch.png").stat().st_size > 0
    # One epoch over 2400 coloured digits: about 0.45; chance is 0.1.
    assert metric(output, "test_accuracy") > 0.3
