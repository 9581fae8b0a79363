"""`Tensor.__getitem__`/`__setitem__`: basic keys give views, advanced keys (index tensors,
lists, masks) copy, with numpy's rules for where the indexed dims go. Checked against numpy
and against hand-derived values for what numpy does not do the same way."""

from __future__ import annotations

import re
import warnings

import ferrograd
import numpy as np
import pytest


def raises(exc, msg):
    return pytest.raises(exc, match=re.escape(msg))


def grid(*shape, dtype=None):
    n = int(np.prod(shape))
    return ferrograd.arange(n, dtype=dtype).reshape(*shape)


def np_grid(*shape):
    return np.arange(int(np.prod(shape))).reshape(*shape)


def same(t, a):
    """`t` holds exactly the values (and shape) of the numpy array `a`."""
    assert tuple(t.shape) == a.shape
    np.testing.assert_array_equal(t.numpy(), a)


def shares_storage(a, b) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


# ---------------------------------------------------------------- advanced keys vs numpy

KEYS = [
    ([0, 2],),
    ([[0, 1], [1, 0]],),  # a 2-D index tensor: its shape replaces dim 0
    (slice(None), [0, 2]),
    (Ellipsis, [3, 0, 1]),
    ([0, 1], slice(None), [1, 2]),  # separated by a slice: advanced dims go first
    ([0, 1], 1, [1, 2]),  # an int is an index too: adjacent to nothing -> front
    (1, [0, 1], [1, 2]),  # adjacent: the broadcast dims stay in place
    ([[0], [1]], [0, 1, 2]),  # index tensors broadcast against each other
    (None, [0, 1], None, [1, 2]),
    ([0, 1], None, [1, 2]),
    ([0], slice(None, 2), [1]),
    ([-1, -2],),  # negative indices count from the end
    (slice(None, None, 2), [0, 0, 1]),
    ([],),  # an empty list is an empty int64 index
]


@pytest.mark.parametrize("key", KEYS, ids=[str(k) for k in KEYS])
def test_advanced_keys_match_numpy(key):
    t, a = grid(3, 4, 5), np_grid(3, 4, 5)
    np_key = tuple(np.array(k, dtype=np.int64) if isinstance(k, list) else k for k in key)
    same(t[key], a[np_key])
    # The same key as index tensors.
    t_key = tuple(
        ferrograd.tensor(k, dtype=ferrograd.int64) if isinstance(k, list) else k for k in key
    )
    same(t[t_key], a[np_key])


def test_placement_of_advanced_dims():
    x = ferrograd.zeros(2, 3, 4, 5)
    # Adjacent advanced indices replace their dims in place ...
    assert x[:, [0, 1], [0, 1]].shape == (2, 2, 5)
    # ... separated ones (by a slice, None or ...) put the broadcast shape first.
    assert x[[0, 1], :, [0, 1]].shape == (2, 3, 5)
    assert x[[[0], [1]], :, [1, 2]].shape == (2, 2, 3, 5)
    assert x[1:, [0], :2, [1]].shape == (1, 1, 2)
    assert x[..., [1, 2], [[0], [1]]].shape == (2, 3, 2, 2)
    assert np.zeros((2, 3, 4, 5))[..., [1, 2], [[0], [1]]].shape == (2, 3, 2, 2)


def test_masks_select_true_elements_in_row_major_order():
    t, a = grid(2, 3), np_grid(2, 3)
    m = np.array([[True, False, True], [False, True, True]])
    same(t[ferrograd.tensor(m)], a[m])
    row = np.array([True, False])
    same(t[ferrograd.tensor(row)], a[row])
    col = np.array([False, True, True])
    same(t[:, ferrograd.tensor(col)], a[:, col])
    # A mask spanning two dims followed by more items.
    x, b = grid(2, 3, 4), np_grid(2, 3, 4)
    m3 = np.array([[True, False, True], [False, True, False]])
    same(x[ferrograd.tensor(m3), 1:3], b[m3, 1:3])
    same(x[ferrograd.tensor(m3), ferrograd.tensor([0])], b[m3, [0]])
    # Lists of bools and numpy bool arrays are masks too.
    same(t[[True, False]], a[[True, False]])
    same(t[np.array([True, False])], a[np.array([True, False])])


def test_python_bools_and_zero_dim_tensors():
    t = grid(2, 3)
    assert t[True].shape == (1, 2, 3)
    assert t[False].shape == (0, 2, 3)
    assert t[None, True].shape == (1, 1, 2, 3)
    assert t[:, True, 0].tolist() == [[0], [3]]
    # A 0-dim integer tensor (or numpy 0-d array) is an integer: a view.
    v = t[ferrograd.tensor(1)]
    assert v.tolist() == [3, 4, 5] and shares_storage(v, t)
    assert shares_storage(t[np.array(1)], t)
    # A 0-dim bool tensor is a Python bool.
    assert t[ferrograd.tensor(True), 1].shape == (1, 3)
    assert t[ferrograd.tensor(False)].shape == (0, 2, 3)
    s = ferrograd.tensor(5)
    assert s[True].tolist() == [5] and s[None].tolist() == [5]
    assert s[...].tolist() == 5


def test_index_dtypes():
    t = grid(3, 2)
    for dt in (ferrograd.int64, ferrograd.int32):
        assert t[ferrograd.tensor([2, 0], dtype=dt)].tolist() == [[4, 5], [0, 1]]
    # uint8 index tensors are masks (PyTorch's deprecated form, with its warning).
    with pytest.warns(UserWarning, match="indexing with dtype ferrograd.uint8 is now deprecated"):
        r = t[ferrograd.tensor([1, 0, 1], dtype=ferrograd.uint8)]
    assert r.tolist() == [[0, 1], [4, 5]]
    # Float lists and float numpy arrays are converted to int64, as PyTorch does.
    assert t[[0.5, 2.7]].tolist() == [[0, 1], [4, 5]]
    assert t[np.array([1, 0], dtype=np.int32)].tolist() == [[2, 3], [0, 1]]
    for dt in (ferrograd.float32, ferrograd.int16, ferrograd.int8):
        with raises(IndexError, "tensors used as indices must be long, int, byte or bool tensors"):
            t[ferrograd.tensor([1, 0], dtype=dt)]
    with raises(IndexError, "tensors used as indices must be long, int, byte or bool tensors"):
        t[ferrograd.tensor(1.5)]


def test_non_tuple_sequences_of_sequences_are_tuples_with_a_warning():
    t = grid(3, 4)
    with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional"):
        r = t[[[0, 1], [1, 0]]]
    assert r.tolist() == [1, 4]  # t[(0, 1), (1, 0)]
    with pytest.warns(UserWarning):
        assert t[[0, slice(None)]].shape == (4,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert t[[0, 1]].shape == (2, 4)  # a flat list of ints is one index tensor


def test_advanced_indexing_copies_and_works_on_every_dtype():
    for dt in (
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
    ):
        t = ferrograd.tensor([[0, 1], [2, 3], [4, 5]]).to(dt)
        r = t[[2, 0]]
        assert r.dtype == dt
        assert r.tolist() == ferrograd.tensor([[4, 5], [0, 1]]).to(dt).tolist()
        assert not shares_storage(r, t)


def test_non_contiguous_sources():
    a = np_grid(4, 6)
    t = grid(4, 6)
    same(t.t()[[1, 3], 2:], a.T[[1, 3], 2:])
    same(t[::2, 1::2][[1, 0]], a[::2, 1::2][[1, 0]])
    e = ferrograd.tensor([1, 2, 3]).expand(4, 3)
    same(e[[0, 3], [2, 1]], np.broadcast_to(np.array([1, 2, 3]), (4, 3))[[0, 3], [2, 1]])
    idx = ferrograd.tensor([[0, 1], [2, 3]]).t()  # a transposed index tensor
    same(t[idx], a[np.array([[0, 2], [1, 3]])])


def test_empty_tensors_and_empty_indices():
    z = ferrograd.zeros(0, 3)
    assert z[[]].shape == (0, 3)
    assert z[:, [1]].shape == (0, 1)
    t = grid(2, 3)
    assert t[ferrograd.tensor([], dtype=ferrograd.int64)].shape == (0, 3)
    assert t[[], 0].shape == (0,)
    with raises(IndexError, "index is out of bounds for dimension with size 0"):
        z[[0]]


def test_basic_keys_are_views():
    t = grid(2, 3, 4)
    for key in (1, (1, slice(None, None, 2)), (Ellipsis, -1, None), slice(1, None), (None, 0)):
        v = t[key]
        assert shares_storage(v, t)
        same(v, np_grid(2, 3, 4)[key])
    assert t[1 : 10**30].shape == (1, 3, 4)  # slice bounds beyond int64 clamp


# ---------------------------------------------------------------- getitem errors


def test_out_of_range_indices():
    x = ferrograd.zeros(2, 3)
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 2"):
        x[5]
    # The dim in the message is the key position, as in PyTorch.
    with raises(IndexError, "index 5 is out of bounds for dimension 2 with size 3"):
        x[None, :, 5]
    with raises(IndexError, "index -4 is out of bounds for dimension 1 with size 3"):
        x[..., -4]
    # For index tensors it is the position among the index tensors.
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3"):
        x[:, ferrograd.tensor([5])]
    with raises(IndexError, "index -3 is out of bounds for dimension 0 with size 2"):
        x[[-3]]
    with raises(IndexError, "index 7 is out of bounds for dimension 1 with size 3"):
        x[[0, 1], [0, 7]]


def test_shape_errors():
    x = ferrograd.zeros(3, 4)
    with raises(
        IndexError,
        "shape mismatch: indexing tensors could not be broadcast together with shapes [3], [2]",
    ):
        x[[0, 1, 2], [0, 1]]
    with raises(
        IndexError,
        "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0",
    ):
        x[ferrograd.tensor([True, False])]
    with raises(
        IndexError,
        "The shape of the mask [3, 5] at index 1 does not match the shape of the indexed tensor [3, 4] at index 1",
    ):
        x[ferrograd.ones(3, 5, dtype=ferrograd.bool)]
    with raises(IndexError, "too many indices for tensor of dimension 2"):
        x[[0], [0], [0]]
    with raises(IndexError, "too many indices for tensor of dimension 0"):
        ferrograd.tensor(5)[[0]]


def test_invalid_key_types():
    x = ferrograd.zeros(2, 3)
    msg = "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})"
    with raises(IndexError, msg.format("float")):
        x[0.5]
    with raises(IndexError, msg.format("dict")):
        x[{1: 2}]
    with raises(IndexError, msg.format("numpy.float64")):
        x[np.float64(1)]
    with raises(TypeError, "new(): invalid data type 'str'"):
        x[1:2, "a"]


def test_zero_dim_messages():
    s = ferrograd.tensor(5)
    with raises(IndexError, "invalid index of a 0-dim tensor. Use `tensor.item()`"):
        s[0]
    with raises(IndexError, "index 1 is out of bounds for dimension 0 with size 0"):
        s[1]
    with raises(IndexError, "too many indices for tensor of dimension 0"):
        s[0,]
    with raises(IndexError, "slice() cannot be applied to a 0-dim tensor."):
        s[:]


# ---------------------------------------------------------------- setitem


def test_setitem_basic_keys_broadcast_and_cast():
    x = ferrograd.zeros(3, 4)
    x[0] = ferrograd.tensor([1, 2, 3, 4])  # int64 values are cast to float32
    x[1:, ::2] = 7
    x[2, -1] = 2.5
    x[..., 1] = ferrograd.full((1, 1, 3), 9.0)  # leading size-1 dims of the value are dropped
    assert x.tolist() == [[1, 9, 3, 4], [7, 9, 7, 0], [7, 9, 7, 2.5]]
    assert x._version == 4


def test_setitem_advanced_keys():
    x = ferrograd.zeros(3, 4)
    x[[0, 2]] = 5
    assert x[:, 0].tolist() == [5, 0, 5]
    x[ferrograd.tensor([True, False, True])] = ferrograd.tensor([[1.0] * 4, [2.0] * 4])
    assert x[:, 3].tolist() == [1, 0, 2]
    x[:, [0, 0]] = ferrograd.tensor([8.0, 9.0])  # repeated index: the last write wins
    assert x[:, 0].tolist() == [9, 9, 9]
    x[[1], [1, 2]] = ferrograd.tensor(-1.0)
    assert x[1].tolist() == [9, -1, -1, 0]
    x[ferrograd.tensor([[False] * 4, [True] * 4, [False] * 4])] = 3
    assert x[1].tolist() == [3, 3, 3, 3]
    # numpy-style placement when writing too: dims first, then the slice.
    y = ferrograd.zeros(2, 3, 4)
    y[[0, 1], :, [1, 2]] = ferrograd.arange(6.0).reshape(2, 3)
    expect = np.zeros((2, 3, 4))
    expect[[0, 1], :, [1, 2]] = np.arange(6.0).reshape(2, 3)
    same(y, expect.astype(np.float32))


def test_setitem_bumps_the_version_and_writes_through_views():
    base = ferrograd.zeros(4, 4)
    view = base.t()[1:]
    view[[0, 2], 1] = 1  # view[i][j] is base[j][i + 1]
    assert base.tolist()[1] == [0, 1, 0, 1] and sum(sum(r) for r in base.tolist()) == 2
    assert base._version == 1 and view._version == 1
    base[False] = 5  # PyTorch skips this entirely
    assert base._version == 1


def test_setitem_values_and_their_errors():
    x = ferrograd.zeros(3, 4)
    msg = "Index put requires the source and destination dtypes match, got Float for the destination and Long for the source."
    with raises(RuntimeError, msg):
        x[[0]] = ferrograd.tensor([1, 2, 3, 4])
    with raises(
        RuntimeError,
        "shape mismatch: value tensor of shape [3, 4] cannot be broadcast to indexing result of shape [2, 4]",
    ):
        x[ferrograd.tensor([True, False, True])] = ferrograd.zeros(3, 4)
    with raises(
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  Target sizes: [4].  Tensor sizes: [3]",
    ):
        x[0] = ferrograd.ones(3)
    with raises(TypeError, "can't assign a list to a ferrograd.FloatTensor"):
        x[0] = [1, 2, 3, 4]
    with raises(TypeError, "can't assign a numpy.ndarray to a ferrograd.FloatTensor"):
        x[0] = np.ones(4)
    with raises(TypeError, "can't assign a NoneType to a ferrograd.FloatTensor"):
        x[0] = None
    # A one-element value with a mask goes through masked_fill_, which casts.
    x[ferrograd.tensor([True, False, False])] = ferrograd.tensor(5)
    assert x[0].tolist() == [5, 5, 5, 5]
    # Python numbers take the tensor's dtype.
    i = ferrograd.zeros(3, dtype=ferrograd.int64)
    i[[0]] = 2.7
    i[1] = True
    assert i.tolist() == [2, 1, 0]
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3"):
        i[[5]] = 1


def test_setitem_values_sharing_memory():
    x = ferrograd.arange(4.0)
    with raises(
        RuntimeError,
        "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location.",
    ):
        x[[1, 2, 3]] = x[:3]
    # An advanced-indexing value is a copy, so it may come from the tensor itself.
    y = ferrograd.arange(4.0)
    y[ferrograd.tensor([False, True, True, True])] = y[[0, 1, 2]]
    assert y.tolist() == [0, 0, 1, 2]


def test_several_ellipses_and_empty_results():
    # PyTorch (unlike numpy) accepts several `...`; each skips the unnamed dims.
    x = grid(2, 3)
    assert x[..., ...].shape == (2, 3)
    assert x[0, ..., ...].tolist() == [0, 1, 2]
    # Indices are checked as the kernel visits them: not at all when the result is empty.
    z = ferrograd.zeros(1, 3, 0, 4)
    assert z[None, ferrograd.tensor([-2])].shape == (1, 1, 3, 0, 4)
    z[None, ferrograd.tensor([-2])] = 1.0
