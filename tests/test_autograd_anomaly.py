"""Anomaly detection: the forward traceback of a node whose backward fails, NaN checks, and
the switches, as PyTorch's `detect_anomaly` / `set_detect_anomaly` behave."""

from __future__ import annotations

import warnings

import ferrograd as torch
import pytest


def test_switches_and_their_defaults():
    assert not torch.is_anomaly_enabled() and torch.is_anomaly_check_nan_enabled()
    with torch.autograd.set_detect_anomaly(True, check_nan=False):
        assert torch.is_anomaly_enabled() and not torch.is_anomaly_check_nan_enabled()
    assert not torch.is_anomaly_enabled() and torch.is_anomaly_check_nan_enabled()
    torch.autograd.set_detect_anomaly(True)
    try:
        assert torch.is_anomaly_enabled()
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert not torch.is_anomaly_enabled()


def test_detect_anomaly_warns_that_it_is_slow():
    with pytest.warns(UserWarning, match="^Anomaly Detection has been enabled. This mode will"):
        mode = torch.autograd.detect_anomaly()
    with mode:
        assert torch.is_anomaly_enabled()
    assert not torch.is_anomaly_enabled()


def test_nodes_keep_the_traceback_of_their_forward_call():
    x = torch.ones(2, requires_grad=True)
    with pytest.warns(UserWarning), torch.autograd.detect_anomaly():
        z = x * 2
    stack = z.grad_fn.metadata["traceback_"]
    assert isinstance(stack, list) and "z = x * 2" in stack[-1]
    assert "traceback_" not in (x * 3).grad_fn.metadata


def test_nan_in_a_backward_is_reported_with_the_node_and_where_it_was_made():
    a = torch.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as record, torch.autograd.detect_anomaly():
        warnings.simplefilter("always")
        c = a.sqrt() * 0
        q = c / c
        with pytest.raises(RuntimeError) as e:
            q.sum().backward()
    assert str(e.value) == "Function 'DivBackward0' returned nan values in its 1th output."
    warning = str(record[-1].message)
    assert warning.startswith(
        "Error detected in DivBackward0. Traceback of forward call that caused the error:\n"
    )
    assert "q = c / c" in warning


def test_check_nan_off_lets_nan_through():
    a = torch.tensor([0.0, 1.0], requires_grad=True)
    with torch.autograd.set_detect_anomaly(True, check_nan=False):
        c = a.sqrt() * 0
        (c / c).sum().backward()
    assert a.grad.isnan().all()


def test_other_errors_also_name_the_forward_call():
    a = torch.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as record, torch.autograd.set_detect_anomaly(True):
        warnings.simplefilter("always")
        y = (a * 2).exp()
        y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
    message = str(record[-1].message)
    assert message.startswith("Error detected in ExpBackward0")
    assert "y = (a * 2).exp()" in message


def test_without_anomaly_mode_nan_is_not_checked():
    a = torch.tensor([0.0, 1.0], requires_grad=True)
    c = a.sqrt() * 0
    (c / c).sum().backward()
    assert a.grad.isnan().all()
