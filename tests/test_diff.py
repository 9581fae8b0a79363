"""`ferrograd.diff` / `Tensor.diff(n=1, dim=-1, prepend=None, append=None)`: the n-th forward
difference, built (as in PyTorch) from `cat`, `narrow` and `sub` (`logical_xor` for bools), so
its gradient is theirs. Expected values and messages are PyTorch's."""

from __future__ import annotations

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.autograd import gradcheck, gradgradcheck
from hypothesis import given
from hypothesis import strategies as st

X = torch.tensor([[1.0, 3.0, 6.0, 10.0], [2.0, 2.0, 5.0, 1.0]])


def test_differences():
    # Along the last dim: [1, 3, 6, 10] -> [2, 3, 4] -> [1, 1].
    assert torch.diff(X).tolist() == [[2.0, 3.0, 4.0], [0.0, 3.0, -4.0]]
    assert torch.diff(X, n=2).tolist() == [[1.0, 1.0], [3.0, -7.0]]
    assert X.diff(1, 0).tolist() == [[1.0, -1.0, -1.0, -9.0]]
    assert X.diff(axis=0).tolist() == [[1.0, -1.0, -1.0, -9.0]]
    # n past the length leaves nothing; n = 0 is a copy, whatever prepend says.
    assert torch.diff(X, n=5).shape == (2, 0)
    assert torch.diff(X, n=4).shape == (2, 0)
    zero = torch.diff(X, n=0, prepend=torch.zeros(2, 1))
    assert zero.tolist() == X.tolist() and zero.data_ptr() != X.data_ptr()
    assert torch.diff(torch.zeros(1)).shape == (0,)


def test_prepend_and_append():
    # prepend 0 puts the first value in front; append [0, 0] with n = 2 (recorded values).
    assert torch.diff(X, prepend=torch.zeros(2, 1)).tolist() == [
        [1.0, 2.0, 3.0, 4.0],
        [2.0, 0.0, 3.0, -4.0],
    ]
    assert torch.diff(X, append=torch.zeros(2, 2), n=2).tolist() == [
        [1.0, 1.0, -14.0, 10.0],
        [3.0, -7.0, 3.0, 1.0],
    ]
    assert torch.diff(X, axis=0, prepend=torch.zeros(1, 4)).tolist() == [
        [1.0, 3.0, 6.0, 10.0],
        [1.0, -1.0, -1.0, -9.0],
    ]


def test_dtypes():
    # Bools differ by xor; integers wrap as in PyTorch; prepend joins in the promoted dtype.
    assert torch.diff(torch.tensor([True, False, False, True])).tolist() == [True, False, True]
    assert torch.diff(torch.tensor([True, False]), n=3).dtype == torch.bool
    assert torch.diff(torch.tensor([1, 4, 9])).tolist() == [3, 5]
    assert torch.diff(torch.tensor([5, 4, 9], dtype=torch.uint8)).tolist() == [255, 5]
    mixed = torch.diff(torch.tensor([1, 4, 9]), prepend=torch.tensor([0.5]))
    assert mixed.dtype == torch.float32 and mixed.tolist() == [0.5, 3.0, 5.0]
    assert torch.diff(torch.tensor([1, 2, 3]), prepend=torch.tensor([True])).tolist() == [0, 1, 1]
    assert torch.diff(torch.tensor([True, False]), prepend=torch.tensor([3])).tolist() == [-2, -1]


def test_out():
    out = torch.empty(0)
    assert torch.diff(X, out=out) is out
    assert out.tolist() == [[2.0, 3.0, 4.0], [0.0, 3.0, -4.0]]
    with pytest.raises(
        RuntimeError, match="^result type Float can't be cast to the desired output type Long$"
    ):
        torch.diff(X, out=torch.empty(2, 3, dtype=torch.int64))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: torch.diff(torch.tensor(1.0)),
            RuntimeError,
            "diff expects input to be at least one-dimensional",
        ),
        (
            lambda: torch.diff(torch.tensor(1.0), n=-1),
            RuntimeError,
            "diff expects input to be at least one-dimensional",
        ),
        (lambda: torch.diff(X, n=-1), RuntimeError, "order must be non-negative but got -1"),
        (
            lambda: torch.diff(X, n=-1, prepend=torch.zeros(2)),
            RuntimeError,
            "order must be non-negative but got -1",
        ),
        (
            lambda: torch.diff(X, prepend=torch.zeros(2)),
            RuntimeError,
            "diff expects prepend or append to be the same dimension as input",
        ),
        (
            lambda: torch.diff(X, append=torch.tensor(0.0)),
            RuntimeError,
            "diff expects prepend or append to be the same dimension as input",
        ),
        (
            lambda: torch.diff(X, prepend=torch.zeros(3, 1)),
            RuntimeError,
            "diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension; input.size(0) = 2, but got tensor.size(0) = 3",
        ),
        (
            lambda: torch.diff(X, dim=2),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        (
            lambda: torch.diff(X, dim=3, prepend=torch.zeros(2)),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 3)",
        ),
        (
            lambda: torch.diff(X, prepend=0.0),
            TypeError,
            "diff(): argument 'prepend' must be Tensor, not float",
        ),
        (lambda: torch.diff(X, n=1.0), TypeError, "diff(): argument 'n' must be int, not float"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as e:
        call()
    assert str(e.value) == message


def test_gradient():
    # y = second difference of [p, a] along dim 1, weighted by w; recorded from PyTorch.
    a = torch.tensor([[1.0, 3.0, 6.0, 10.0], [2.0, 2.0, 5.0, 1.0]], requires_grad=True)
    p = torch.tensor([[0.5], [1.5]], requires_grad=True)
    y = torch.diff(a, n=2, prepend=p)
    assert y.grad_fn.name() == "SubBackward0"
    assert y.tolist() == [[1.5, 1.0, 1.0], [-0.5, 3.0, -7.0]]
    (y * torch.tensor([[1.0, 2.0, 3.0], [5.0, 6.0, 7.0]])).sum().backward()
    assert a.grad.tolist() == [[0.0, 0.0, -4.0, 3.0], [-4.0, 0.0, -8.0, 7.0]]
    assert p.grad.tolist() == [[1.0], [5.0]]
    assert type(torch.diff(a, n=0).grad_fn).__name__ == "CopyBackwards"


def test_gradcheck():
    a = torch.tensor([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[1.5], [-0.5]], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda a, b: torch.diff(a, n=2, append=b), (a, b))
    assert gradgradcheck(
        lambda a, b: torch.diff(a, dim=0, prepend=b.t()[:, :1].expand(1, 3)), (a, b)
    )


@given(
    values=st.lists(st.integers(-100, 100), min_size=1, max_size=8),
    n=st.integers(0, 9),
)
def test_matches_numpy(values, n):
    # numpy.diff is the same operation on integers (it stops at an empty result too).
    got = torch.diff(torch.tensor(values), n=n).tolist()
    assert got == np.diff(np.array(values), n=n).tolist()
