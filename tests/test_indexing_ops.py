"""The indexing ops: index_select/add/copy/fill/put, gather and the scatter family, masked_*,
take/put/take_along_dim, nonzero/argwhere/where(condition). Checked against numpy and
hand-derived values, with PyTorch's exception types and messages."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest

ALL_DTYPES = [
    ferrograd.bool,
    ferrograd.uint8,
    ferrograd.int8,
    ferrograd.int16,
    ferrograd.int32,
    ferrograd.int64,
    ferrograd.float16,
    ferrograd.bfloat16,
    ferrograd.float32,
    ferrograd.float64,
]


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def t(values, dtype=None):
    return ferrograd.tensor(values, dtype=dtype)


def idx(*values):
    return ferrograd.tensor(list(values), dtype=ferrograd.int64)


def grid(*shape):
    return ferrograd.arange(float(np.prod(shape))).reshape(*shape)


def np_grid(*shape):
    return np.arange(float(np.prod(shape)), dtype=np.float32).reshape(*shape)


def same(x, a):
    assert tuple(x.shape) == np.shape(a)
    np.testing.assert_array_equal(x.numpy(), np.asarray(a))


OVERLAP = "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location."
INTERNAL = "unsupported operation: more than one element of the written-to tensor refers to a single memory location."


# ---------------------------------------------------------------- index_select


def test_index_select_matches_numpy_take():
    x, a = grid(3, 4), np_grid(3, 4)
    same(x.index_select(1, idx(3, 0, 3)), np.take(a, [3, 0, 3], axis=1))
    same(ferrograd.index_select(x, 0, idx(2)), a[[2]])
    same(x.t().index_select(0, idx(1, 2)), a.T[[1, 2]])  # non-contiguous source
    same(x[:, ::2].index_select(-1, t([1], dtype=ferrograd.int32)), a[:, ::2][:, [1]])
    assert x.index_select(0, idx()).shape == (0, 4)
    assert ferrograd.arange(3.0).index_select(0, t(2)).shape == (1,)
    assert ferrograd.tensor(5.0).index_select(0, idx(0)).shape == ()
    for dt in ALL_DTYPES:
        r = ferrograd.tensor([[0, 1], [1, 0]]).to(dt).index_select(0, idx(1))
        assert r.dtype == dt and r.tolist() == ferrograd.tensor([[1, 0]]).to(dt).tolist()


def test_index_select_errors():
    x = grid(3, 4)
    with raises(IndexError, "index out of range in self"):
        x.index_select(0, idx(5))
    with raises(IndexError, "index out of range in self"):
        x.index_select(0, idx(-1))  # no wrapping of negative indices
    with raises(RuntimeError, "INDICES element is out of DATA bounds, id=4 axis_dim=4"):
        x.index_select(1, idx(4))
    with raises(IndexError, "index_select(): Index is supposed to be a vector"):
        x.index_select(0, t([[0]]))
    with raises(RuntimeError, "index_select(): Expected dtype int32 or int64 for index"):
        x.index_select(0, t([0.0]))
    with raises(
        IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    ):
        x.index_select(2, idx(0))


# ---------------------------------------------------------------- index_add / copy / fill


def test_index_add_accumulates_repeats_and_scales():
    x = grid(3, 4)
    r = x.index_add(0, idx(0, 0, 2), ferrograd.ones(3, 4), alpha=2)
    expect = np_grid(3, 4)
    np.add.at(expect, [0, 0, 2], 2.0)
    same(r, expect)
    same(x, np_grid(3, 4))  # out-of-place
    y = ferrograd.zeros(2, 3, dtype=ferrograd.int64)
    y.index_add_(1, idx(2, 2), t([[1, 2], [3, 4]]), alpha=2.5)  # alpha is cast: 2
    assert y.tolist() == [[0, 0, 6], [0, 0, 14]] and y._version == 1
    z = ferrograd.zeros(4, 3)
    z.t().index_add_(1, idx(3), ferrograd.ones(3, 1))  # writes through a transposed view
    assert z[3].tolist() == [1, 1, 1]


def test_index_add_errors():
    x = grid(3, 4)
    with raises(RuntimeError, "index 5 is out of bounds for dimension 0 with size 3"):
        x.index_add(0, idx(5), ferrograd.ones(1, 4))
    with raises(RuntimeError, "index -1 is out of bounds for dimension 0 with size 3"):
        x.index_add(0, idx(-1), ferrograd.ones(1, 4))
    with raises(
        RuntimeError,
        "index_add_(): Number of indices (1) should be equal to source.size(dim): (2), for dim: 0",
    ):
        x.index_add(0, idx(0), ferrograd.ones(2, 4))
    with raises(
        RuntimeError,
        "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = [3, 4] source.shape = [1, 3]",
    ):
        x.index_add(0, idx(0), ferrograd.ones(1, 3))
    with raises(
        RuntimeError, "index_add_(): self (Float) and source (Long) must have the same scalar type"
    ):
        x.index_add(0, idx(0), ferrograd.ones(1, 4, dtype=ferrograd.int64))
    with raises(RuntimeError, "index_add_(): Expected dtype int32/int64 for index but got: Float"):
        x.index_add(0, t([0.0]), ferrograd.ones(1, 4))
    with raises(
        IndexError,
        "index_add_(): Index is supposed to be a vector, but got dim: 2 with type: Long and size: [1, 1]",
    ):
        x.index_add(0, t([[0]]), ferrograd.ones(1, 4))
    with raises(RuntimeError, INTERNAL):
        ferrograd.zeros(3, 1).expand(3, 4).index_add_(0, idx(0), ferrograd.ones(1, 4))


def test_index_copy():
    x = grid(3, 4)
    r = x.index_copy(0, idx(2, 0), t([[1.0] * 4, [2.0] * 4]))
    assert r.tolist()[0] == [2] * 4 and r.tolist()[2] == [1] * 4 and r.tolist()[1] == [4, 5, 6, 7]
    with raises(IndexError, "index_copy_(): index 5 is out of bounds for dimension 0 with size 3"):
        x.index_copy(0, idx(5), ferrograd.ones(1, 4))
    with raises(
        IndexError, "index_copy_(): Number of indices (1) should be equal to source.size(dim) (2)"
    ):
        x.index_copy(0, idx(0), ferrograd.ones(2, 4))
    with raises(
        RuntimeError,
        "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: 4 at dimension 0 and source slice shape: 3 at dimension 0.",
    ):
        x.index_copy(0, idx(0), ferrograd.ones(1, 3))
    with raises(
        RuntimeError,
        "index_copy_(): self and source expected to have the same dtype, but got (self) Float and (source) Long",
    ):
        x.index_copy(0, idx(0), ferrograd.ones(1, 4, dtype=ferrograd.int64))
    with raises(RuntimeError, "index_copy_(): Expected a long tensor for index, but got Int"):
        x.index_copy(0, t([0], dtype=ferrograd.int32), ferrograd.ones(1, 4))


def test_index_fill():
    x = grid(3, 4)
    same(x.index_fill(1, idx(0, 2), -1), np.where(np.isin(np.arange(4), [0, 2]), -1, np_grid(3, 4)))
    assert x.index_fill(1, idx(-1), t(2.0))[:, 3].tolist() == [2, 2, 2]  # negatives wrap
    assert x.t().index_fill(0, idx(0), 0).stride() == (1, 4)  # keeps the layout
    assert ferrograd.zeros(3, dtype=ferrograd.int64).index_fill(0, idx(1), 2.5).tolist() == [
        0,
        2,
        0,
    ]
    with raises(IndexError, "index 5 is out of bounds for dimension 1 with size 4"):
        x.index_fill(1, idx(5), -1)
    with raises(
        RuntimeError,
        "index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).",
    ):
        x.index_fill(1, idx(0), t([2.0]))
    with raises(IndexError, "index_fill_(): Expected dtype int64 for index."):
        x.index_fill(1, t([1], dtype=ferrograd.int32), 2)
    with raises(RuntimeError, "Index has to be a vector/scalar"):
        x.index_fill(1, t([[1]]), 2)


def test_index_put():
    x = ferrograd.zeros(3, 4)
    r = x.index_put((idx(0, 0), idx(1, 1)), t([1.0, 2.0]), accumulate=True)
    assert r[0, 1].item() == 3.0 and x[0, 1].item() == 0
    x.index_put_((idx(0, 0), idx(1, 1)), t([1.0, 2.0]))
    assert x[0, 1].item() == 2.0
    ferrograd.index_put_(x, (t([True, False, True]),), t(5.0))
    assert x[:, 3].tolist() == [5, 0, 5]
    with raises(IndexError, "too many indices for tensor of dimension 2 (got 3)"):
        x.index_put_((idx(0), idx(0), idx(0)), t(1.0))
    with raises(
        TypeError,
        "index_put_(): argument 'indices' (position 1) must be tuple of Tensors, not Tensor",
    ):
        x.index_put_(idx(1), t(5.0))
    with raises(TypeError, "expected Tensor as element 0 in argument 0, but got NoneType"):
        x.index_put_((None, idx(0)), t(5.0))
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3"):
        x.index_put_((idx(5),), t(5.0), accumulate=True)


# ---------------------------------------------------------------- gather / scatter


def test_gather_matches_take_along_axis():
    a = np_grid(3, 4)
    i = np.array([[0, 3], [1, 1], [2, 0]])
    same(grid(3, 4).gather(1, ferrograd.tensor(i)), np.take_along_axis(a, i, 1))
    j = np.array([[2, 0, 1, 0]])
    same(ferrograd.gather(grid(3, 4), 0, ferrograd.tensor(j)), np.take_along_axis(a, j, 0))
    same(grid(4, 3).t().gather(1, ferrograd.tensor(i)), np.take_along_axis(np_grid(4, 3).T, i, 1))
    small = ferrograd.tensor([[1, 0]], dtype=ferrograd.int32)  # smaller than self: allowed
    assert grid(3, 4).gather(1, small).tolist() == [[1, 0]]
    assert ferrograd.tensor(5.0).gather(0, idx(0, 0)).tolist() == [5, 5]
    assert grid(3, 4).gather(1, ferrograd.zeros(0, 2, dtype=ferrograd.int64)).shape == (0, 2)


def test_gather_errors():
    x = grid(3, 4)
    with raises(RuntimeError, "index 5 is out of bounds for dimension 1 with size 4"):
        x.gather(1, t([[0, 5]]))
    with raises(RuntimeError, "index -1 is out of bounds for dimension 1 with size 4"):
        x.gather(1, t([[0, -1]]))
    with raises(
        RuntimeError, "Index tensor must have the same number of dimensions as input tensor"
    ):
        x.gather(1, idx(0, 1))
    with raises(
        RuntimeError,
        "Size does not match at dimension 0 expected index [4, 2] to be no larger than self [3, 4] apart from dimension 1",
    ):
        x.gather(1, ferrograd.zeros(4, 2, dtype=ferrograd.int64))
    with raises(RuntimeError, "gather(): Expected dtype int32/int64 for index"):
        x.gather(1, t([[0]], dtype=ferrograd.int16))


def test_scatter_variants():
    x = grid(3, 4)
    i = t([[0, 1]])
    assert x.scatter(1, i, 1.0).tolist()[0] == [1, 1, 2, 3]
    assert x.scatter(1, i, t([[7.0, 8.0]])).tolist()[0] == [7, 8, 2, 3]
    assert x.scatter(1, t([[0, 0]]), value=2, reduce="add").tolist()[0] == [4, 1, 2, 3]
    with pytest.warns(
        UserWarning, match="The reduce argument of torch.scatter with Tensor src is deprecated"
    ):
        r = x.scatter(1, i, ferrograd.full((1, 2), 2.0), reduce="multiply")
    assert r.tolist()[0] == [0, 2, 2, 3]
    assert x.scatter_add(1, t([[0, 0]]), ferrograd.full((1, 2), 2.0)).tolist()[0] == [4, 1, 2, 3]
    y = ferrograd.zeros(2, 3)
    y.scatter_(0, t([[1, 0, 1]]), t([[1.0, 2.0, 3.0], [9.0, 9.0, 9.0]]))  # src may be larger
    assert y.tolist() == [[0, 2, 0], [1, 0, 3]] and y._version == 1
    y.t().scatter_add_(0, t([[2], [2]]), ferrograd.ones(2, 1))  # through a transposed view
    assert y.tolist() == [[0, 2, 2], [1, 0, 3]]  # y.t()[2][0] (that is y[0][2]) += 1, twice


def test_scatter_reduce():
    x = grid(3, 4)
    i = t([[0, 0]])
    src = ferrograd.full((1, 2), 2.0)
    assert x.scatter_reduce(1, i, src, "sum").tolist()[0][0] == 4
    assert x.scatter_reduce(1, i, src, "prod").tolist()[0][0] == 0
    assert x.scatter_reduce(1, i, src, "prod", include_self=False).tolist()[0][0] == 4
    m = x.scatter_reduce(1, i, src, "mean").tolist()[0][0]
    assert abs(m - 4 / 3) < 1e-6
    assert x.scatter_reduce(1, i, src, "mean", include_self=False).tolist()[0][0] == 2
    assert x.scatter_reduce(1, i, src, "amax").tolist()[0][0] == 2
    assert x.scatter_reduce(1, i, src, "amin", include_self=False).tolist()[0][0] == 2
    n = ferrograd.zeros(1, 2).scatter_reduce(1, t([[0]]), t([[float("nan")]]), "amax")
    assert np.isnan(n.tolist()[0][0])
    li = x.long()
    # Integer means use floor division: (0 + 3 + 3) / 3 = 2, (1 + 3 + ... ) as counted.
    assert li.scatter_reduce(
        1, i, ferrograd.full((1, 2), 3, dtype=ferrograd.int64), "mean"
    ).tolist()[0][:2] == [2, 1]
    assert li.scatter_reduce(1, i, t([[-3, -4]]), "mean", include_self=False).tolist()[0][0] == -4
    with raises(
        RuntimeError, "reduce argument must be either sum, prod, mean, amax or amin, got foo"
    ):
        x.scatter_reduce(1, i, src, "foo")


def test_scatter_errors():
    x = grid(3, 4)
    with raises(RuntimeError, "index 5 is out of bounds for dimension 1 with size 4"):
        x.scatter(1, t([[0, 5]]), 1.0)
    with raises(
        RuntimeError,
        "Expected index [1, 2] to be no larger than self [3, 4] apart from dimension 1 and to be no larger size than src [1, 1]",
    ):
        x.scatter(1, t([[0, 1]]), ferrograd.ones(1, 1))
    with raises(
        RuntimeError,
        "Expected index [4, 1] to be no larger than self [3, 4] apart from dimension 1",
    ):
        x.scatter(1, ferrograd.zeros(4, 1, dtype=ferrograd.int64), 1.0)
    with raises(RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype"):
        x.scatter(1, t([[0, 1]]), ferrograd.ones(1, 2, dtype=ferrograd.int64))
    with raises(RuntimeError, "reduce argument must be either add or multiply."):
        x.scatter(1, t([[0]]), 1.0, reduce="mean")
    with raises(RuntimeError, INTERNAL):
        ferrograd.zeros(3, 1).expand(3, 4).scatter_(1, t([[0]]), 1.0)
    y = ferrograd.arange(4.0)
    with raises(RuntimeError, OVERLAP):
        y.scatter_(0, idx(1, 2, 3), y[:3])


# ---------------------------------------------------------------- masked ops


def test_masked_fill_broadcasts_and_casts():
    x, a = grid(3, 4), np_grid(3, 4)
    m = np.array([True, False, True, False])
    same(x.masked_fill(t(m), -1), np.where(m, -1, a))
    same(x.masked_fill(t(m), t(-1)), np.where(m, -1, a))
    same(x[0].masked_fill(ferrograd.ones(3, 4, dtype=ferrograd.bool), -1), np.full((3, 4), -1.0))
    assert x.long().masked_fill(t(m), 2.5).tolist()[0] == [2, 1, 2, 3]
    assert x.bool().masked_fill(t(m), 0).tolist()[1] == [False, True, False, True]
    y = x.t().contiguous().t()
    y.masked_fill_(t([True, False, False, False]), 0)
    assert y[:, 0].tolist() == [0, 0, 0] and y._version == 1
    with raises(
        RuntimeError, "masked_fill_ only supports boolean masks, but got mask with dtype long int"
    ):
        x.masked_fill(t([1, 0, 1, 0]), -1)
    with raises(
        RuntimeError,
        "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char",
    ):
        x.masked_fill(t([1, 0, 1, 0], dtype=ferrograd.uint8), -1)
    with raises(
        RuntimeError,
        "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).",
    ):
        x.masked_fill(t(m), t([-1.0]))
    with raises(
        RuntimeError,
        "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1",
    ):
        x.masked_fill(t([True] * 3), -1)
    with raises(RuntimeError, "output with shape [4] doesn't match the broadcast shape [3, 4]"):
        x[0].masked_fill_(ferrograd.ones(3, 4, dtype=ferrograd.bool), -1)


def test_masked_select_and_scatter():
    x, a = grid(3, 4), np_grid(3, 4)
    m = np.array([[True, False, True, False]] * 3)
    same(x.masked_select(t(m)), a[m])
    same(x.t().masked_select(t(m).t()), a.T[m.T])
    same(x[0].masked_select(ferrograd.ones(3, 4, dtype=ferrograd.bool)), np.tile(a[0], 3))
    assert x.masked_select(ferrograd.zeros(3, 4, dtype=ferrograd.bool)).shape == (0,)
    with raises(RuntimeError, "masked_select: expected BoolTensor for mask"):
        x.masked_select(t([1, 0, 1, 0]))
    r = x.masked_scatter(t([True, False, True, False]), ferrograd.arange(100.0, 110.0))
    assert r.tolist()[1] == [102, 5, 103, 7]
    # The source is consumed in its own row-major order, whatever its layout.
    r = ferrograd.zeros(2, 3).masked_scatter(t([True, False, True]), grid(3, 4).t())
    assert r.tolist() == [[0, 0, 4], [8, 0, 1]]
    with raises(RuntimeError, "Number of elements of source < number of ones in mask"):
        x.masked_scatter(t([True, False, True, False]), ferrograd.arange(3.0))
    with raises(
        RuntimeError,
        "masked_scatter: expected self and source to have same dtypes but gotFloat and Long",
    ):
        x.masked_scatter(t([True, False, True, False]), ferrograd.arange(10))
    with raises(
        RuntimeError, "masked_scatter_ only supports boolean masks, but got mask with dtype Long"
    ):
        x.masked_scatter(t([1, 0, 1, 0]), ferrograd.arange(10.0))


# ---------------------------------------------------------------- take / put / take_along_dim


def test_take_and_put():
    x, a = grid(3, 4), np_grid(3, 4)
    same(x.take(t([[0, 11], [-1, -12]])), np.take(a, [[0, 11], [-1, -12]]))
    same(x.t().take(idx(1, 4)), np.take(a.T, [1, 4]))
    with raises(IndexError, "out of range: tried to access index 12 on a tensor of 12 elements."):
        x.take(idx(12))
    with raises(RuntimeError, "take(): Expected a long tensor for index, but got Int"):
        x.take(t([1], dtype=ferrograd.int32))
    r = x.put(idx(0, 0), t([1.0, 2.0]), accumulate=True)
    assert r.tolist()[0][0] == 3 and x.tolist()[0][0] == 0
    y = x.clone()
    y.put_(idx(0, -1), t([1.0, 2.0]))
    assert y.tolist()[0][0] == 1 and y.tolist()[2][3] == 2
    assert ferrograd.put(x, idx(1), t([7.0])).tolist()[0][1] == 7
    with raises(
        IndexError,
        "put_(): Expected source and index to have the same number of elements, but got source.numel() = 1, index.numel() = 2",
    ):
        y.put_(idx(0, 1), t([1.0]))
    with raises(
        RuntimeError,
        "put_(): self and source expected to have the same dtype, but got self.dtype = Float and source.dtype = Long",
    ):
        y.put_(idx(0, 1), t([1, 2]))
    with raises(IndexError, "out of range: tried to access index 12 on a tensor of 12 elements."):
        y.put_(idx(12), t([1.0]))


def test_take_along_dim():
    x, a = grid(3, 4), np_grid(3, 4)
    i = np.array([[0], [1], [2]])
    same(ferrograd.take_along_dim(x, ferrograd.tensor(i), dim=1), np.take_along_axis(a, i, 1))
    same(x.take_along_dim(t([[0, 1]]), dim=1), a[:, [0, 1]])  # indices broadcast over dim 0
    same(ferrograd.take_along_dim(x, idx(0, 5)), np.take(a, [0, 5]))
    # PyTorch 2.15 wraps indices along a given dim modulo its size.
    assert x.take_along_dim(t([[5], [-1], [2]]), dim=1).tolist() == [[1], [7], [10]]
    with raises(RuntimeError, "index 12 is out of bounds for dimension 0 with size 12"):
        ferrograd.take_along_dim(x, idx(12))
    with raises(
        RuntimeError,
        "torch.take_along_dim(): input and indices should have the same number of dimensions, but got 2 dimensions for input, and 1 dimensions for indices",
    ):
        ferrograd.take_along_dim(x, idx(0, 1), dim=0)
    with raises(
        RuntimeError, "torch.take_along_dim(): dtype of indices should be Long but got Int"
    ):
        ferrograd.take_along_dim(x, t([[0]], dtype=ferrograd.int32), dim=1)
    with raises(
        RuntimeError,
        "The size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 1",
    ):
        ferrograd.take_along_dim(x, t([[0, 1]]), dim=0)


# ---------------------------------------------------------------- nonzero / argwhere / where


def test_nonzero_argwhere_where():
    x = t([[0.0, 1.5, 0.0], [float("nan"), 0.0, -2.0]])
    assert x.nonzero().tolist() == [[0, 1], [1, 0], [1, 2]]
    assert ferrograd.argwhere(x).tolist() == [[0, 1], [1, 0], [1, 2]]
    rows, cols = x.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [1, 0, 2]
    assert [r.tolist() for r in ferrograd._C._where_condition(x)] == [[0, 1, 1], [1, 0, 2]]
    assert ferrograd.nonzero(x.t()).tolist() == [[0, 1], [1, 0], [2, 1]]
    assert ferrograd.tensor(3.0).nonzero().shape == (1, 0)
    assert ferrograd.tensor(0.0).nonzero().shape == (0, 0)
    assert [r.tolist() for r in ferrograd.tensor(3.0).nonzero(as_tuple=True)] == [[0]]
    assert ferrograd.zeros(2, 0).nonzero().shape == (0, 2)
    assert t([-0.0]).nonzero().shape == (0, 1)
    for dt in ALL_DTYPES:
        assert t([0, 1, 0, 1]).to(dt).nonzero().tolist() == [[1], [3]]


def test_messages_that_depend_on_the_path_pytorch_takes():
    # index_add: a matrix with alpha 1 reports like scatter_add; anything else like index_select.
    with raises(RuntimeError, "index 3 is out of bounds for dimension 0 with size 3"):
        grid(3, 4).index_add(0, idx(3), ferrograd.ones(1, 4))
    with raises(IndexError, "index out of range in self"):
        grid(3, 4).index_add(0, idx(3), ferrograd.ones(1, 4), alpha=2)
    with raises(IndexError, "index out of range in self"):
        grid(2, 3, 4).index_add(1, idx(3), ferrograd.ones(2, 1, 4))
    # index_select of an empty tensor.
    with raises(RuntimeError, "index_select(): self indexing axis dim should be positive"):
        ferrograd.zeros(0, 4).index_select(0, idx(0))
    with raises(RuntimeError, "INDICES element is out of DATA bounds, id=-1 axis_dim=3"):
        ferrograd.zeros(3, 0).index_select(0, idx(-1))
    assert ferrograd.zeros(3, 0).index_select(0, idx(2)).shape == (1, 0)
    with raises(
        RuntimeError, "index_select(): Index to scalar can have only 1 value, got 2 value(s)"
    ):
        ferrograd.tensor(5.0).index_select(0, idx(0, 0))
    with raises(IndexError, "take(): tried to take from an empty tensor"):
        ferrograd.zeros(0).take(idx(0))
    with raises(
        NotImplementedError, "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'"
    ):
        t([True]).scatter_reduce(0, idx(0), t([False]), "mean")
    with raises(IndexError, "Dimension specified as 0 but tensor has no dimensions"):
        ferrograd.tensor(1.0).index_add(0, idx(), ferrograd.tensor(2.0))
    # Nothing to write: no index is looked at.
    assert ferrograd.zeros(2, 0, 1).index_fill(-1, idx(1), 3).shape == (2, 0, 1)


def test_inputs_sharing_memory_with_the_written_tensor():
    y = ferrograd.arange(4.0)
    z = ferrograd.arange(4)
    for op in (
        lambda: y.index_add_(0, idx(1, 2, 3), y[:3]),
        lambda: y.index_copy_(0, idx(1, 2, 3), y[:3]),
        lambda: y.put_(idx(1, 2, 3), y[:3]),
        lambda: y.index_put_((idx(1, 2, 3),), y[:3]),
        lambda: z.index_fill_(0, z[:2], 9),
    ):
        with raises(RuntimeError, OVERLAP):
            op()
    m = ferrograd.ones(4, dtype=ferrograd.bool)
    m.masked_fill_(m, False)  # a mask that is the tensor itself is fine
    assert m.tolist() == [False] * 4
