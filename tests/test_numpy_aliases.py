"""numpy's names for two arguments, which PyTorch's argument parser accepts in every native op:
`axis` for `dim` and `keepdims` for `keepdim`. Each op gives the same result under either
name, as a method and as a function; the alias given together with its name is PyTorch's
TypeError. The ops whose PyTorch versions are written in Python (`Tensor.split`, `norm`,
`flip`, `nn.functional.softmax`, ...) take no alias, there as here."""

from __future__ import annotations

import ferrograd as torch
import pytest

F = torch.nn.functional

# Every dim below is one the op would not pick by default, so an alias that were ignored
# would show in the result.
X = torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
V3 = torch.tensor([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0]])
IDX = torch.tensor([[0], [2]])
ROW = torch.tensor([0, 2])
ONES = torch.ones(2, 1)

# (name, call(**dim_kwargs), dim, whether the op also takes keepdim)
ROWS = [
    ("Tensor.unsqueeze", lambda **k: X.unsqueeze(**k), 1, False),
    ("unsqueeze", lambda **k: torch.unsqueeze(X, **k), 1, False),
    ("Tensor.squeeze", lambda **k: X[None].squeeze(**k), 0, False),
    ("squeeze", lambda **k: torch.squeeze(X[:, None], **k), 1, False),
    ("Tensor.argmax", lambda **k: X.argmax(**k), 0, True),
    ("argmax", lambda **k: torch.argmax(X, **k), 0, True),
    ("Tensor.argmin", lambda **k: X.argmin(**k), 0, True),
    ("argmin", lambda **k: torch.argmin(X, **k), 0, True),
    ("Tensor.softmax", lambda **k: X.softmax(**k), 0, False),
    ("softmax", lambda **k: torch.softmax(X, **k), 0, False),
    ("Tensor.log_softmax", lambda **k: X.log_softmax(**k), 0, False),
    ("log_softmax", lambda **k: torch.log_softmax(X, **k), 0, False),
    ("Tensor.max", lambda **k: X.max(**k), 0, True),
    ("max", lambda **k: torch.max(X, **k), 0, True),
    ("Tensor.min", lambda **k: X.min(**k), 0, True),
    ("min", lambda **k: torch.min(X, **k), 0, True),
    ("stack", lambda **k: torch.stack([X, X], **k), 1, False),
    ("cat", lambda **k: torch.cat([X, X], **k), 1, False),
    ("Tensor.sum", lambda **k: X.sum(**k), 0, True),
    ("sum", lambda **k: torch.sum(X, **k), 0, True),
    ("Tensor.mean", lambda **k: X.mean(**k), 0, True),
    ("nansum", lambda **k: torch.nansum(X, **k), 0, True),
    ("nanmean", lambda **k: torch.nanmean(X, **k), 0, True),
    ("Tensor.prod", lambda **k: X.prod(**k), 0, True),
    ("Tensor.all", lambda **k: X.all(**k), 0, True),
    ("any", lambda **k: torch.any(X, **k), 0, True),
    ("Tensor.std", lambda **k: X.std(**k), 0, True),
    ("var", lambda **k: torch.var(X, **k), 0, True),
    ("var_mean", lambda **k: torch.var_mean(X, **k), 0, True),
    ("std_mean", lambda **k: torch.std_mean(X, **k), 0, True),
    ("Tensor.sort", lambda **k: X.sort(**k), 0, False),
    ("sort", lambda **k: torch.sort(X, **k), 0, False),
    ("Tensor.argsort", lambda **k: X.argsort(**k), 0, False),
    ("Tensor.topk", lambda **k: X.topk(1, **k), 0, False),
    ("topk", lambda **k: torch.topk(X, 1, **k), 0, False),
    ("Tensor.amax", lambda **k: X.amax(**k), 0, True),
    ("amin", lambda **k: torch.amin(X, **k), 0, True),
    ("Tensor.aminmax", lambda **k: X.aminmax(**k), 0, True),
    ("aminmax", lambda **k: torch.aminmax(X, **k), 0, True),
    ("Tensor.logsumexp", lambda **k: X.logsumexp(**k), 0, True),
    ("Tensor.median", lambda **k: X.median(**k), 0, True),
    ("nanmedian", lambda **k: torch.nanmedian(X, **k), 0, True),
    ("Tensor.mode", lambda **k: X.mode(**k), 0, True),
    ("Tensor.kthvalue", lambda **k: X.kthvalue(1, **k), 0, True),
    ("Tensor.quantile", lambda **k: X.quantile(0.5, **k), 0, True),
    ("nanquantile", lambda **k: torch.nanquantile(X, 0.5, **k), 0, True),
    ("Tensor.chunk", lambda **k: X.chunk(2, **k), 1, False),
    ("chunk", lambda **k: torch.chunk(X, 2, **k), 1, False),
    ("unsafe_chunk", lambda **k: torch.unsafe_chunk(X, 2, **k), 1, False),
    ("Tensor.unbind", lambda **k: X.unbind(**k), 1, False),
    ("Tensor.tensor_split", lambda **k: X.tensor_split(2, **k), 1, False),
    ("split_with_sizes", lambda **k: torch.split_with_sizes(X, [1, 2], **k), 1, False),
    ("unsafe_split", lambda **k: torch.unsafe_split(X, 2, **k), 1, False),
    ("unsafe_split_with_sizes", lambda **k: X.unsafe_split_with_sizes([2, 1], **k), 1, False),
    ("Tensor.gather", lambda **k: X.gather(index=IDX, **k), 1, False),
    ("gather", lambda **k: torch.gather(X, index=IDX, **k), 1, False),
    ("Tensor.index_select", lambda **k: X.index_select(index=ROW, **k), 1, False),
    ("Tensor.take_along_dim", lambda **k: X.take_along_dim(IDX, **k), 1, False),
    ("Tensor.narrow", lambda **k: X.narrow(start=1, length=2, **k), 1, False),
    ("narrow", lambda **k: torch.narrow(X, start=1, length=2, **k), 1, False),
    ("Tensor.select", lambda **k: X.select(index=2, **k), 1, False),
    ("select", lambda **k: torch.select(X, index=2, **k), 1, False),
    ("Tensor.count_nonzero", lambda **k: X.count_nonzero(**k), 0, False),
    ("Tensor.cummax", lambda **k: X.cummax(**k), 0, False),
    ("cummin", lambda **k: torch.cummin(X, **k), 0, False),
    ("Tensor.cumsum", lambda **k: X.cumsum(**k), 0, False),
    ("Tensor.logcumsumexp", lambda **k: X.logcumsumexp(**k), 0, False),
    ("Tensor.repeat_interleave", lambda **k: X.repeat_interleave(2, **k), 1, False),
    ("repeat_interleave", lambda **k: torch.repeat_interleave(X, 2, **k), 1, False),
    ("Tensor.diff", lambda **k: X.diff(**k), 0, False),
    ("diff", lambda **k: torch.diff(X, **k), 0, False),
    ("Tensor.index_add", lambda **k: X.index_add(index=ROW[:1], source=ONES, **k), 1, False),
    ("Tensor.index_copy", lambda **k: X.index_copy(index=ROW[:1], source=ONES, **k), 1, False),
    ("Tensor.index_fill", lambda **k: X.index_fill(index=ROW, value=-1.0, **k), 1, False),
    ("Tensor.index_fill_", lambda **k: X.clone().index_fill_(index=ROW, value=-1.0, **k), 1, False),
    (
        "Tensor.index_add_",
        lambda **k: X.clone().index_add_(index=ROW[:1], source=ONES, **k),
        1,
        False,
    ),
    (
        "Tensor.index_copy_",
        lambda **k: X.clone().index_copy_(index=ROW[:1], source=ONES, **k),
        1,
        False,
    ),
    ("Tensor.scatter", lambda **k: X.scatter(index=IDX, src=ONES, **k), 1, False),
    ("Tensor.scatter_", lambda **k: X.clone().scatter_(index=IDX, value=9.0, **k), 1, False),
    ("Tensor.scatter_add", lambda **k: X.scatter_add(index=IDX, src=ONES, **k), 1, False),
    ("Tensor.scatter_add_", lambda **k: X.clone().scatter_add_(index=IDX, src=ONES, **k), 1, False),
    (
        "Tensor.scatter_reduce",
        lambda **k: X.scatter_reduce(index=IDX, src=ONES, reduce="prod", **k),
        1,
        False,
    ),
    (
        "Tensor.scatter_reduce_",
        lambda **k: X.clone().scatter_reduce_(index=IDX, src=ONES, reduce="amax", **k),
        1,
        False,
    ),
    ("Tensor.size", lambda **k: X.size(**k), 1, False),
    ("Tensor.stride", lambda **k: X.stride(**k), 0, False),
    ("cross", lambda **k: torch.cross(V3, V3.flip(1), **k), 1, False),
    ("linalg.cross", lambda **k: torch.linalg.cross(V3.t(), V3.t(), **k), 0, False),
    ("linalg.vector_norm", lambda **k: torch.linalg.vector_norm(X, **k), 0, True),
    ("linalg.matrix_norm", lambda **k: torch.linalg.matrix_norm(X[None], **k), (2, 1), True),
    ("linalg.norm", lambda **k: torch.linalg.norm(X, **k), 0, True),
    ("unflatten", lambda **k: torch.unflatten(X, sizes=(3, 1), **k), 1, False),
    ("nn.functional.cosine_similarity", lambda **k: F.cosine_similarity(X, V3, **k), 0, False),
    ("Tensor.unsqueeze_", lambda **k: X.clone().unsqueeze_(**k), 1, False),
    ("Tensor.squeeze_", lambda **k: X[:, None].clone().squeeze_(**k), 1, False),
]
IDS = [row[0] for row in ROWS]


def same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return a.dtype == b.dtype and a.shape == b.shape and a.tolist() == b.tolist()
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return a == b


@pytest.mark.parametrize("name, call, dim, keepdim", ROWS, ids=IDS)
def test_axis_and_keepdims_mean_dim_and_keepdim(name, call, dim, keepdim):
    assert same(call(axis=dim), call(dim=dim))
    if keepdim:
        assert same(call(axis=dim, keepdims=True), call(dim=dim, keepdim=True))


@pytest.mark.parametrize("name, call, dim, keepdim", ROWS, ids=IDS)
def test_an_alias_given_with_its_name_is_refused(name, call, dim, keepdim):
    # PyTorch: "sum() got an unexpected keyword argument 'axis'" (ops with several overloads
    # say "received an invalid combination of arguments - got (axis=int, dim=int, )").
    with pytest.raises(TypeError, match="axis"):
        call(dim=dim, axis=dim)
    if keepdim:
        with pytest.raises(TypeError, match="keepdims"):
            call(dim=dim, keepdim=True, keepdims=True)


def test_the_messages_are_pytorchs():
    with pytest.raises(TypeError, match=r"^sum\(\) got an unexpected keyword argument 'axis'$"):
        X.sum(0, axis=0)
    with pytest.raises(
        TypeError, match=r"^argmax\(\) got an unexpected keyword argument 'keepdims'$"
    ):
        torch.argmax(X, 0, True, keepdims=True)
    with pytest.raises(TypeError, match=r"^cat\(\) got an unexpected keyword argument 'axis'$"):
        torch.cat([X], dim=0, axis=0)


def test_keepdims_gives_the_kept_shape():
    # amax over dim 1 of a (2, 3): (2,) without keepdims, (2, 1) with it.
    assert X.amax(axis=1).shape == (2,)
    assert X.amax(axis=1, keepdims=True).tolist() == [[3.0], [5.0]]
    assert torch.mean(X, axis=(0, 1), keepdims=True).tolist() == [[2.5]]
    assert F.pairwise_distance(X, V3, keepdims=True).shape == (2, 1)


def test_a_missing_dim_is_pytorchs_error():
    for call, name in [
        (lambda: X.unsqueeze(), "unsqueeze"),
        (lambda: X.softmax(), "softmax"),
        (lambda: X.cummax(), "cummax"),
        (lambda: X.gather(index=IDX), "gather"),
    ]:
        with pytest.raises(TypeError, match=rf"^{name}\(\) missing \d required positional"):
            call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: X.split(1, axis=0),
        lambda: torch.split(X, 1, axis=0),
        lambda: X.norm(axis=0),
        lambda: X.norm(dim=0, keepdims=True),
        lambda: X.flip(axis=(0,)),
        lambda: X.roll(1, axis=0),
        lambda: X.unflatten(axis=1, sizes=(3, 1)),
        lambda: F.softmax(X, axis=0),
        lambda: X.unsqueeze(0, keepdims=True),
        lambda: X.unique_consecutive(axis=0),
    ],
    ids=[
        "Tensor.split",
        "split",
        "Tensor.norm",
        "Tensor.norm-keepdims",
        "flip",
        "roll",
        "Tensor.unflatten",
        "nn.functional.softmax",
        "unsqueeze-keepdims",
        "unique_consecutive",
    ],
)
def test_ops_pytorch_writes_in_python_take_no_alias(call):
    with pytest.raises(TypeError):
        call()
