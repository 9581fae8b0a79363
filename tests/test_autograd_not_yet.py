"""Ops whose backward formula has not landed yet refuse inputs that require grad, with
PyTorch's NotImplementedError for a missing derivative, instead of returning a result that
silently drops out of the graph. Without grad mode, or on detached inputs, they run as
before (optimizers and init functions write into parameters under `no_grad`). Ops whose
results are integers or bools need no gradient and must keep working on any input."""

from __future__ import annotations

import re
from typing import Any, Callable

import ferrograd as torch
import pytest

IDX = [0, 2]
MASK = [[True, False, True, False]] * 3


def idx() -> torch.Tensor:
    return torch.tensor(IDX)


def mask() -> torch.Tensor:
    return torch.tensor(MASK)


def square(x: torch.Tensor) -> torch.Tensor:
    # A 3 x 3 symmetric positive-definite matrix built from x by recorded ops, so that it
    # requires grad exactly when x does, and every decomposition accepts it.
    a = x[:, :3]
    return a @ a.t() + 3 * torch.eye(3)


def set_row(x: torch.Tensor) -> torch.Tensor:
    t = torch.zeros(3, 4)
    t[0] = x[0]
    return t


def set_rows(x: torch.Tensor) -> torch.Tensor:
    t = torch.zeros(3, 4)
    t[idx()] = x[:2]
    return t


def set_in_x(x: torch.Tensor) -> torch.Tensor:
    x[0] = 1.0
    return x


def set_masked_in_x(x: torch.Tensor) -> torch.Tensor:
    x[x > 0.5] = 0.0
    return x


# (name PyTorch's message gives, call on a 3 x 4 float tensor x). Composite ops name the
# primitive they are built on, as PyTorch's graph would (`stack` is a `cat`).
Row = tuple[str, Callable[[torch.Tensor], Any]]
GUARDED: list[Row] = [
    # cumulative
    ("cumsum", lambda x: x.cumsum(1)),
    ("cumprod", lambda x: torch.cumprod(x, 0)),
    ("cummax", lambda x: x.cummax(1)),
    ("cummin", lambda x: torch.cummin(x, 0)),
    ("logcumsumexp", lambda x: x.logcumsumexp(1)),
    # diagonals
    ("diag", lambda x: x.diag()),
    ("diag", lambda x: torch.diag(x[0])),
    ("diag", lambda x: torch.diagflat(x[0])),
    ("diag_embed", lambda x: torch.diag_embed(x)),
    ("trace", lambda x: x.trace()),
    # reordering and repeating
    ("flip", lambda x: x.flip(0)),
    ("flip", lambda x: x.fliplr()),
    ("roll", lambda x: x.roll(1, 1)),
    ("roll", lambda x: x.roll(1)),
    ("rot90", lambda x: x.rot90()),
    ("repeat", lambda x: x.repeat(2, 1)),
    ("repeat", lambda x: x.tile((2,))),
    ("repeat_interleave", lambda x: x.repeat_interleave(2)),
    ("repeat_interleave", lambda x: x.repeat_interleave(torch.tensor([1, 2, 0]), dim=0)),
    # triangles
    ("tril", lambda x: x.tril()),
    ("triu", lambda x: torch.triu(x, 1)),
    ("tril_", lambda x: x.tril_()),
    ("triu_", lambda x: x.triu_()),
    # sorting and order statistics
    ("sort", lambda x: x.sort()),
    ("sort", lambda x: x.msort()),
    ("topk", lambda x: x.topk(2)),
    ("median", lambda x: x.median()),
    ("median", lambda x: x.median(1)),
    ("nanmedian", lambda x: x.nanmedian()),
    ("nanmedian", lambda x: x.nanmedian(0)),
    ("mode", lambda x: x.mode()),
    ("kthvalue", lambda x: x.kthvalue(2)),
    ("quantile", lambda x: x.quantile(0.5)),
    ("nanquantile", lambda x: torch.nanquantile(x, torch.tensor([0.25, 0.5]), dim=1)),
    # extremes
    ("max", lambda x: x.max()),
    ("max", lambda x: x.max(1)),
    ("min", lambda x: x.min()),
    ("min", lambda x: torch.min(x, dim=0)),
    ("amax", lambda x: x.amax(1)),
    ("amin", lambda x: x.amin()),
    ("aminmax", lambda x: x.aminmax()),
    # statistics, norms and the other sums
    ("var", lambda x: x.var()),
    ("std", lambda x: x.std(1)),
    ("var_mean", lambda x: torch.var_mean(x)),
    ("std_mean", lambda x: torch.std_mean(x, 0)),
    ("linalg_vector_norm", lambda x: torch.linalg.vector_norm(x)),
    ("linalg_vector_norm", lambda x: x.norm()),
    ("logsumexp", lambda x: x.logsumexp(1)),
    ("nansum", lambda x: x.nansum()),
    ("nanmean", lambda x: x.nanmean(1)),
    ("prod", lambda x: x.prod()),
    # masks
    ("masked_fill", lambda x: x.masked_fill(mask(), 0.0)),
    ("masked_fill_", lambda x: x.masked_fill_(mask(), 0.0)),
    ("masked_select", lambda x: x.masked_select(mask())),
    ("masked_scatter", lambda x: x.masked_scatter(mask(), x)),
    ("masked_scatter_", lambda x: torch.zeros(3, 4).masked_scatter_(mask(), x)),
    # index ops
    ("index_select", lambda x: x.index_select(1, idx())),
    ("index_fill", lambda x: x.index_fill(1, idx(), 0.0)),
    ("index_fill_", lambda x: x.index_fill_(1, idx(), 0.0)),
    ("index_add", lambda x: x.index_add(0, idx(), x[:2])),
    ("index_add_", lambda x: torch.zeros(3, 4).index_add_(0, idx(), x[:2])),
    ("index_copy", lambda x: torch.zeros(3, 4).index_copy(0, idx(), x[:2])),
    ("index_copy_", lambda x: x.index_copy_(0, idx(), torch.zeros(2, 4))),
    ("gather", lambda x: x.gather(1, torch.tensor([[0], [1], [2]]))),
    ("gather", lambda x: x.take_along_dim(torch.tensor([[0], [1], [2]]), 1)),
    ("scatter", lambda x: torch.zeros(3, 4).scatter(0, torch.tensor([[1, 0, 2, 1]]), x)),
    ("scatter", lambda x: x.scatter(0, torch.tensor([[1, 0, 2, 1]]), 0.0)),
    ("scatter_", lambda x: torch.zeros(3, 4).scatter_(0, torch.tensor([[1, 0, 2, 1]]), x)),
    ("scatter_add", lambda x: x.scatter_add(0, torch.tensor([[1, 0, 2, 1]]), x)),
    ("scatter_add_", lambda x: torch.zeros(3, 4).scatter_add_(0, torch.tensor([[1, 0]]), x)),
    ("scatter_reduce", lambda x: x.scatter_reduce(0, torch.tensor([[1, 0]]), x, "amax")),
    (
        "scatter_reduce_",
        lambda x: torch.zeros(3, 4).scatter_reduce_(0, torch.tensor([[1, 0]]), x, "sum"),
    ),
    ("take", lambda x: x.take(idx())),
    ("put", lambda x: x.put(idx(), torch.zeros(2))),
    ("put_", lambda x: torch.zeros(3, 4).put_(idx(), x[0, :2])),
    # advanced indexing and assignment
    ("index", lambda x: x[idx()]),
    ("index", lambda x: x[:, idx()]),
    ("index", lambda x: x[x > 0.5]),
    ("index_put", lambda x: x.index_put((idx(),), torch.tensor(0.0))),
    ("index_put_", lambda x: torch.zeros(3, 4).index_put_((idx(),), x[0])),
    ("copy_", set_row),
    ("copy_", set_in_x),
    ("index_put_", set_rows),
    ("index_put_", set_masked_in_x),
    # elementwise ops with parameters and three operands
    ("round", lambda x: x.round(decimals=1)),
    ("logit", lambda x: x.logit()),
    ("logit", lambda x: x.logit_(1e-3)),
    ("nan_to_num", lambda x: x.nan_to_num()),
    ("nan_to_num", lambda x: x.nan_to_num_()),
    ("clamp", lambda x: x.clamp_(min=0.5)),
    ("lerp", lambda x: torch.lerp(x, torch.zeros(3, 4), 0.5)),
    ("lerp", lambda x: torch.zeros(3, 4).lerp_(x, 0.5)),
    ("addcmul", lambda x: torch.addcmul(x, x, x, value=2)),
    ("addcdiv", lambda x: torch.zeros(3, 4).addcdiv(x, x + 1)),
    # products added to an input, and products built from raw kernels
    ("addmm", lambda x: torch.addmm(torch.zeros(3, 3), x, x.t())),
    ("addmv", lambda x: torch.addmv(x[:, 0], x, x[0])),
    ("baddbmm", lambda x: torch.baddbmm(torch.zeros(1, 3, 3), x[None], x.t()[None])),
    ("addbmm", lambda x: torch.addbmm(torch.zeros(3, 3), x[None], x.t()[None])),
    ("addmm_", lambda x: torch.zeros(3, 3).addmm_(x, x.t())),
    ("outer", lambda x: torch.outer(x[0], x[1])),
    ("kron", lambda x: torch.kron(x, x)),
    ("inner", lambda x: torch.inner(x, x[0, 0])),
    ("tensordot", lambda x: torch.tensordot(x[:1], x, dims=([0], [0]))),
    ("einsum", lambda x: torch.einsum("ij,kj->ik", x, x)),
    # joining and grids
    ("cat", lambda x: torch.cat([x, x])),
    ("cat", lambda x: torch.cat([x, x], out=torch.empty(6, 4))),
    ("cat", lambda x: torch.stack([x, x])),
    ("cat", lambda x: torch.hstack([x, x])),
    ("cat", lambda x: torch.cartesian_prod(x[0], x[1])),
    ("combinations", lambda x: torch.combinations(x[0])),
    # linear algebra
    ("linalg_det", lambda x: torch.linalg.det(square(x))),
    ("linalg_slogdet", lambda x: torch.linalg.slogdet(square(x))),
    ("logdet", lambda x: square(x).logdet()),
    ("linalg_inv", lambda x: torch.linalg.inv(square(x))),
    ("linalg_inv", lambda x: square(x).inverse()),
    ("linalg_inv_ex", lambda x: torch.linalg.inv_ex(square(x))),
    ("linalg_cholesky", lambda x: torch.linalg.cholesky(square(x))),
    ("linalg_cholesky_ex", lambda x: torch.linalg.cholesky_ex(square(x))),
    ("linalg_solve", lambda x: torch.linalg.solve(square(x), x)),
    ("linalg_solve_ex", lambda x: torch.linalg.solve_ex(torch.eye(3), x)),
    ("linalg_qr", lambda x: torch.linalg.qr(x)),
    ("linalg_svd", lambda x: torch.linalg.svd(x)),
    ("linalg_svdvals", lambda x: torch.linalg.svdvals(x)),
    ("svd", lambda x: torch.svd(x)),
    ("linalg_eigh", lambda x: torch.linalg.eigh(square(x))),
    ("linalg_eigvalsh", lambda x: torch.linalg.eigvalsh(square(x))),
    ("linalg_eig", lambda x: torch.linalg.eig(square(x))),
    ("linalg_eigvals", lambda x: torch.linalg.eigvals(square(x))),
    ("linalg_lstsq", lambda x: torch.linalg.lstsq(x.t(), torch.ones(4, 1))),
    ("linalg_pinv", lambda x: torch.linalg.pinv(x)),
    ("linalg_matrix_norm", lambda x: torch.linalg.matrix_norm(x)),
    ("linalg_cond", lambda x: torch.linalg.cond(square(x))),
    ("linalg_cross", lambda x: torch.linalg.cross(x[:, :3], x[:, 1:])),
    ("linalg_cross", lambda x: torch.cross(x[:, :3], x[:, 1:], dim=1)),
    ("linalg_matrix_power", lambda x: torch.linalg.matrix_power(square(x), 0)),
    ("linalg_matrix_power", lambda x: torch.linalg.matrix_power(square(x), 1)),
    ("linalg_matrix_power", lambda x: torch.linalg.matrix_power(square(x), -2)),
    # histograms and unique values
    ("histogram", lambda x: torch.histogram(x, bins=4)),
    ("bincount", lambda x: torch.bincount(torch.tensor([0, 1, 1, 3]), weights=x[0])),
    ("unique", lambda x: x.unique()),
    ("unique_consecutive", lambda x: x.unique_consecutive(dim=0)),
    # random samplers
    ("uniform_", lambda x: x.uniform_()),
    ("normal_", lambda x: x.normal_()),
    ("exponential_", lambda x: x.exponential_()),
    ("bernoulli_", lambda x: x.bernoulli_(0.5)),
    ("random_", lambda x: x.random_(0, 5)),
    ("bernoulli", lambda x: torch.bernoulli(x)),
    ("normal", lambda x: torch.normal(x, 1.0)),
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


def test_the_guard_leaves_a_refused_in_place_target_untouched():
    # The check comes before any write, so a refused call changes nothing.
    x = leaf()
    before = x.detach().clone()
    with pytest.raises(NotImplementedError):
        x.masked_fill_(mask(), 0.0)
    assert torch.equal(x.detach(), before) and x._version == 0


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
