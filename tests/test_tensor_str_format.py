"""Tests that the tensor formatter prints exactly what PyTorch printed for the recorded cases."""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent


def _load(name: str, path: pathlib.Path):
    """Import a module from its file, so these tests run before the native extension builds."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


tensor_str = _load("_ferrograd_tensor_str", HERE.parent / "python" / "ferrograd" / "_tensor_str.py")
cases = _load("_ferrograd_printing_cases", HERE / "printing_cases.py")
tensor_repr = tensor_str.tensor_repr

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def default_print_options():
    tensor_str.set_printoptions(profile="default")
    yield
    tensor_str.set_printoptions(profile="default")


def _case_id(case: dict) -> str:
    text = case["expr"].replace("torch.", "")
    if "options" in case:
        text = f"{case['options']} {text}"
    return text if len(text) <= 60 else text[:57] + "..."


def _params(recorded: list[dict]):
    return pytest.mark.parametrize("case", recorded, ids=[_case_id(c) for c in recorded])


def _print_case(case: dict) -> str:
    """Rebuild the recorded tensor with numpy and print it."""
    numpy_dtype = np.float32 if case["dtype"] == "bfloat16" else case["dtype"]
    data = np.array(case["values"], dtype=numpy_dtype).reshape(case["shape"])
    return tensor_repr(
        data,
        case["dtype"],
        requires_grad=case["requires_grad"],
        grad_fn=case["grad_fn"],
        default_dtype=case.get("default_dtype", "float32"),
    )


def test_enough_cases_were_recorded():
    assert len(cases.CASES) >= 80
    dtypes = {case["dtype"] for case in cases.CASES}
    assert set(tensor_str._NUMPY_DTYPES) - dtypes == {"complex64", "complex128"}


@_params(cases.CASES)
def test_matches_pytorch(case):
    assert _print_case(case) == case["expected"]


@_params(cases.OPTION_CASES)
def test_matches_pytorch_with_print_options(case):
    with tensor_str.printoptions(**case["options"]):
        assert _print_case(case) == case["expected"]


@_params(cases.DEFAULT_FLOAT64_CASES)
def test_matches_pytorch_with_float64_default(case):
    assert _print_case(case) == case["expected"]


@_params(cases.COMPLEX_CASES)
def test_matches_pytorch_for_complex(case):
    assert _print_case(case) == case["expected"]


def test_float16_values_may_arrive_as_float32():
    values = [0.1, 1000.0, 65504.0]
    as_half = tensor_repr(np.array(values, dtype=np.float16), "float16")
    as_single = tensor_repr(np.array(values, dtype=np.float16).astype(np.float32), "float16")
    expected = "tensor([9.9976e-02, 1.0000e+03, 6.5504e+04], dtype=ferrograd.float16)"
    assert as_half == as_single == expected


def test_grad_fn_replaces_requires_grad():
    text = tensor_repr(np.array([2.0, 4.0]), "float32", requires_grad=True, grad_fn="MulBackward0")
    assert text == "tensor([2., 4.], grad_fn=<MulBackward0>)"


def test_device_suffix_comes_first():
    data = np.array([1.0, 2.0])
    assert tensor_repr(data, "float32", device="cpu") == "tensor([1., 2.])"
    assert tensor_repr(data, "float32", device="wgpu:0") == "tensor([1., 2.], device='wgpu:0')"
    text = tensor_repr(np.arange(12.0), "float64", device="wgpu:0", requires_grad=True)
    assert text == (
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.],\n"
        "       device='wgpu:0', dtype=ferrograd.float64, requires_grad=True)"
    )


def test_suffix_wrapping_measures_the_pytorch_spelling():
    # PyTorch keeps "dtype=torch.float64" on this 80-column line; the longer ferrograd name
    # would not fit, but the line must break where PyTorch breaks it.
    text = tensor_repr(np.arange(1.5, 7.5), "float64", requires_grad=True)
    assert text == (
        "tensor([1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000], dtype=ferrograd.float64,\n"
        "       requires_grad=True)"
    )


def test_unknown_dtype_is_rejected():
    with pytest.raises(ValueError, match="unknown dtype"):
        tensor_repr(np.zeros(2), "float8")


def test_default_print_options():
    assert tensor_str.get_printoptions() == DEFAULTS


def test_set_printoptions_overrides_and_profiles():
    tensor_str.set_printoptions(precision=2, linewidth=100, sci_mode=True)
    assert tensor_str.get_printoptions() == {
        **DEFAULTS,
        "precision": 2,
        "linewidth": 100,
        "sci_mode": True,
    }
    tensor_str.set_printoptions(profile="full")
    assert tensor_str.get_printoptions() == {**DEFAULTS, "threshold": float("inf")}
    tensor_str.set_printoptions(profile="short", precision=3)
    assert tensor_str.get_printoptions() == {**DEFAULTS, "precision": 3, "edgeitems": 2}


def test_any_call_resets_sci_mode_like_pytorch():
    tensor_str.set_printoptions(sci_mode=False)
    tensor_str.set_printoptions(precision=4)
    assert tensor_str.get_printoptions()["sci_mode"] is None


def test_unknown_profile_is_ignored_like_pytorch():
    tensor_str.set_printoptions(precision=2)
    tensor_str.set_printoptions(profile="nonsense")
    assert tensor_str.get_printoptions() == {**DEFAULTS, "precision": 2}


def test_printoptions_context_restores_previous_options():
    tensor_str.set_printoptions(edgeitems=2, sci_mode=True)
    before = tensor_str.get_printoptions()
    with pytest.raises(RuntimeError), tensor_str.printoptions(precision=1, sci_mode=False):
        assert tensor_repr(np.array([1.25]), "float32") == "tensor([1.2])"
        raise RuntimeError
    assert tensor_str.get_printoptions() == before


def test_get_printoptions_round_trips():
    tensor_str.set_printoptions(precision=6, threshold=10, edgeitems=1, linewidth=50)
    saved = tensor_str.get_printoptions()
    tensor_str.set_printoptions(profile="default")
    tensor_str.set_printoptions(**saved)
    assert tensor_str.get_printoptions() == saved
