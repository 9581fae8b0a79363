"""`repr(tensor)` through the real Tensor class equals PyTorch's recorded output.

The cases in `printing_cases.py` were recorded from PyTorch: each expression is evaluated here
with `torch` bound to ferrograd. Cases whose tensor has a `grad_fn` need the autograd engine to
record the op, so they are exercised by the autograd tests rather than here.
"""

import ferrograd
import pytest
from printing_cases import CASES, DEFAULT_FLOAT64_CASES, OPTION_CASES


def _without_grad_fn(cases):
    # Complex dtypes are not part of ferrograd's dtype set; their recorded cases document
    # PyTorch's format for a later extension.
    return [c for c in cases if c["grad_fn"] is None and not c["dtype"].startswith("complex")]


def _id(case):
    return case["expr"].replace("torch.", "")[:60]


@pytest.fixture(autouse=True)
def default_print_options():
    ferrograd.set_printoptions(profile="default")
    yield
    ferrograd.set_printoptions(profile="default")


def _evaluate(expr):
    return eval(expr, {"torch": ferrograd, "nan": float("nan"), "inf": float("inf")})


@pytest.mark.parametrize("case", _without_grad_fn(CASES), ids=_id)
def test_repr_matches_pytorch(case):
    t = _evaluate(case["expr"])
    assert repr(t) == case["expected"]
    assert str(t) == case["expected"]


@pytest.mark.parametrize("case", _without_grad_fn(OPTION_CASES), ids=_id)
def test_repr_with_print_options_matches_pytorch(case):
    ferrograd.set_printoptions(**case["options"])
    assert repr(_evaluate(case["expr"])) == case["expected"]


@pytest.mark.parametrize("case", _without_grad_fn(DEFAULT_FLOAT64_CASES), ids=_id)
def test_repr_under_float64_default_matches_pytorch(case):
    previous = ferrograd.get_default_dtype()
    ferrograd.set_default_dtype(ferrograd.float64)
    try:
        assert repr(_evaluate(case["expr"])) == case["expected"]
    finally:
        ferrograd.set_default_dtype(previous)


def test_enough_printing_cases_are_checked():
    # The issue asks for at least 60 varied tensors compared with PyTorch's real output.
    assert len(_without_grad_fn(CASES)) >= 60
