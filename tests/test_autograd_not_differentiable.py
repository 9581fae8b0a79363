"""Ops that PyTorch cannot differentiate either (`unique`, `histogram`, `bincount`) refuse
inputs that require grad, with PyTorch's NotImplementedError for a missing derivative,
instead of returning a result that silently drops out of the graph. Without grad mode, or on
detached inputs, they run as usual. Ops whose results are integers or bools need no gradient
and must keep working on any input; composites of recorded ops record."""

from __future__ import annotations

import re
from typing import Any, Callable

import ferrograd as torch
import pytest


def square(x: torch.Tensor) -> torch.Tensor:
    # A 3 x 3 symmetric positive-definite matrix built from x by recorded ops, so that it
    # requires grad exactly when x does, and every decomposition accepts it.
    a = x[:, :3]
    return a @ a.t() + 3 * torch.eye(3)


# (name PyTorch's message gives, call on a 3 x 4 float tensor x).
Row = tuple[str, Callable[[torch.Tensor], Any]]
GUARDED: list[Row] = [
    ("histogram", lambda x: torch.histogram(x, bins=4)),
    ("bincount", lambda x: torch.bincount(torch.tensor([0, 1, 1, 3]), weights=x[0])),
    ("unique", lambda x: x.unique()),
    ("unique_consecutive", lambda x: x.unique_consecutive(dim=0)),
]

# Ops whose results are integers or bools: PyTorch returns them without a graph.
NO_GRADIENT: list[tuple[str, Callable[[torch.Tensor], Any]]] = [
    ("argmax", lambda x: x.argmax()),
    ("argmin", lambda x: x.argmin(1)),
    ("argsort", lambda x: x.argsort()),
    ("nonzero", lambda x: x.nonzero()),
    ("nonzero_tuple", lambda x: x.nonzero(as_tuple=True)),
    ("argwhere", lambda x: x.argwhere()),
    ("isclose", lambda x: torch.isclose(x, x)),
    ("comparison", lambda x: x > 0.5),
    ("eq", lambda x: x.eq(x)),
    ("searchsorted", lambda x: torch.searchsorted(torch.tensor([0.25, 0.5, 0.75]), x)),
    ("bucketize", lambda x: torch.bucketize(x, torch.tensor([0.25, 0.5]))),
    ("count_nonzero", lambda x: x.count_nonzero()),
    ("all", lambda x: x.all()),
    ("any", lambda x: x.any(1)),
    ("matrix_rank", lambda x: torch.linalg.matrix_rank(x)),
    # PyTorch marks histc's result as not differentiable.
    ("histc", lambda x: torch.histc(x, bins=4)),
]


def tensors_in(result: Any) -> list[torch.Tensor]:
    if isinstance(result, torch.Tensor):
        return [result]
    return [t for r in result for t in tensors_in(r)]


def leaf() -> torch.Tensor:
    return torch.rand(3, 4, requires_grad=True)


def expected(name: str) -> str:
    return re.escape(f"the derivative for '{name}' is not implemented.")


def ids(rows: list[Row]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name, _ in rows:
        seen[name] = seen.get(name, 0) + 1
        out.append(f"{name}-{seen[name]}")
    return out


@pytest.mark.parametrize("name, call", GUARDED, ids=ids(GUARDED))
def test_refuses_inputs_that_require_grad(name, call):
    with pytest.raises(NotImplementedError, match=expected(name)):
        call(leaf())


@pytest.mark.parametrize("name, call", GUARDED, ids=ids(GUARDED))
def test_runs_without_grad_mode(name, call):
    # In place on the leaf itself too: that is how optimizers and init functions write.
    with torch.no_grad():
        result = call(leaf())
    assert all(t.grad_fn is None for t in tensors_in(result))


@pytest.mark.parametrize("name, call", GUARDED, ids=ids(GUARDED))
def test_runs_on_detached_inputs(name, call):
    result = call(leaf().detach())
    assert not any(t.requires_grad for t in tensors_in(result))


@pytest.mark.parametrize("name, call", NO_GRADIENT, ids=ids(NO_GRADIENT))
def test_integer_and_bool_results_need_no_gradient(name, call):
    results = tensors_in(call(leaf()))
    assert results
    assert all(not t.requires_grad and t.grad_fn is None for t in results)


def test_composites_of_recorded_ops_still_record():
    # Splitting, broadcasting, meshgrid, clamp and matrix chains are built from recorded ops.
    x = leaf()
    for result in [
        x.split(2, 1)[0],
        x.chunk(2)[1],
        x.unbind()[0],
        torch.broadcast_to(x[0], (2, 4)),
        torch.meshgrid(x[0], x[1], indexing="ij")[0],
        x.clamp(0.25, 0.75),
        torch.linalg.multi_dot([x, x.t(), x]),
        torch.tensordot(x, x, dims=([1], [1])),
        torch.inner(x, x),
        torch.linalg.matrix_power(square(x), 2),
    ]:
        assert result.requires_grad and result.grad_fn is not None
