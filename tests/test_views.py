"""Views: ops that only change shape/strides/offset over the same storage, checked against numpy."""

from __future__ import annotations

import warnings

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import (
    DTYPE_NAMES,
    assert_same_view,
    element_strides,
    example_array,
    shapes,
    significant_strides,
    to_numpy,
    views,
)


def shares_storage(a, b) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


# ---------------------------------------------------------------- hand-worked strides


def test_contiguous_strides_are_row_major():
    # stride[i] = product of the sizes after dim i: (3*4, 4, 1)
    x = ferrograd.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1)
    assert x.stride(0) == 12 and x.stride(-1) == 1
    assert x.storage_offset() == 0


def test_transpose_swaps_sizes_and_strides_without_copying():
    x = ferrograd.arange(6.0).reshape(2, 3)
    for y in (x.transpose(0, 1), x.t(), x.T, x.mT, x.swapaxes(0, 1), x.swapdims(1, 0)):
        assert y.shape == (3, 2) and y.stride() == (1, 3)
        assert y.data_ptr() == x.data_ptr()
        assert y.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def test_t_of_0d_and_1d_is_identity_and_mt_transposes_last_two_dims():
    assert ferrograd.tensor(2.0).t().shape == ()
    assert ferrograd.zeros(3).t().shape == (3,)
    x = ferrograd.zeros(2, 3, 4)
    assert x.mT.shape == (2, 4, 3) and x.mT.stride() == (12, 1, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns (once) that T on non-2-D is deprecated
        assert x.T.shape == (4, 3, 2)


def test_slicing_with_steps_and_negative_indices():
    x = ferrograd.arange(24).reshape(2, 3, 4)
    y = x[1:, ::2, 1::3]
    # offset = 1*12 + 0*4 + 1*1; strides are multiplied by the steps.
    assert y.shape == (1, 2, 1) and y.stride() == (12, 8, 3) and y.storage_offset() == 13
    z = x[-1, -2:, -3]
    assert z.shape == (2,) and z.stride() == (4,) and z.storage_offset() == 12 + 4 + 1
    assert z.tolist() == [17, 21]


def test_slices_past_the_end_are_clamped_like_python():
    x = ferrograd.zeros(2, 3, 4)
    assert x[5:].shape == (0, 3, 4)
    assert x[:, 1:100].shape == (2, 2, 4)
    assert x[-100:].shape == (2, 3, 4)
    assert x[:, 2:1].shape == (2, 0, 4)


def test_none_and_ellipsis_indexing():
    x = ferrograd.zeros(2, 3, 4)
    assert x[None].shape == (1, 2, 3, 4)
    assert x[..., None].shape == (2, 3, 4, 1)
    assert x[0, ..., 1].shape == (3,)
    assert x[:, None, 1].shape == (2, 1, 4)
    assert x[None, ..., None, 0].shape == (1, 2, 3, 1)
    assert x[...].data_ptr() == x.data_ptr()
    assert ferrograd.arange(3)[1].shape == ()  # an int index drops the dim


def test_select_and_narrow():
    x = ferrograd.arange(24.0).reshape(2, 3, 4)
    s = x.select(-1, -1)
    assert s.shape == (2, 3) and s.storage_offset() == 3
    n = x.narrow(2, 1, 2)
    assert n.shape == (2, 3, 2) and n.storage_offset() == 1 and n.stride() == (12, 4, 1)
    assert x.narrow(2, -2, 2).storage_offset() == 2  # a negative start counts from the end


def test_squeeze_all_one_dim_and_several_dims():
    x = ferrograd.zeros(1, 2, 1, 3, 1)
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(0).shape == (2, 1, 3, 1)
    assert x.squeeze(1).shape == (1, 2, 1, 3, 1)  # a dim whose size is not 1 is left alone
    assert x.squeeze((0, 2)).shape == (2, 3, 1)
    assert x.squeeze([0, -1]).shape == (2, 1, 3)
    assert x.squeeze(dim=0).shape == (2, 1, 3, 1)
    assert ferrograd.tensor(1.0).squeeze(0).shape == ()  # 0-d accepts dim 0 and -1
    assert ferrograd.tensor(1.0).squeeze(-1).shape == ()


def test_unsqueeze_inserts_a_size_one_dim():
    x = ferrograd.zeros(2, 3, 4)
    assert [x.unsqueeze(d).shape for d in (0, 1, 3, -1)] == [
        (1, 2, 3, 4),
        (2, 1, 3, 4),
        (2, 3, 4, 1),
        (2, 3, 4, 1),
    ]
    assert ferrograd.tensor(1.0).unsqueeze(0).shape == (1,)


def test_expand_gives_stride_zero_and_accepts_minus_one():
    e = ferrograd.zeros(3, 1).expand(2, 3, 4)
    assert e.shape == (2, 3, 4) and e.stride() == (0, 1, 0)
    assert ferrograd.zeros(3, 1).expand(-1, 4).stride() == (1, 0)
    assert ferrograd.zeros(3, 1).expand(ferrograd.Size([3, 2])).shape == (3, 2)
    assert ferrograd.zeros(3, 1).expand([3, 2]).shape == (3, 2)
    assert ferrograd.zeros(3, 1).expand_as(ferrograd.zeros(2, 3, 5)).stride() == (0, 1, 0)
    assert ferrograd.zeros(1, 3).expand(0, 3).shape == (0, 3)


def test_view_and_reshape_accept_minus_one_sizes_and_lists():
    x = ferrograd.zeros(2, 3, 4)
    assert x.view(-1, 4).shape == (6, 4)
    assert x.view(ferrograd.Size([6, 4])).shape == (6, 4)
    assert x.view([4, 6]).shape == (4, 6)
    assert x.view_as(ferrograd.zeros(4, 6)).shape == (4, 6)
    assert x.reshape_as(ferrograd.zeros(24)).shape == (24,)
    assert x[0, 0, 0].view(1).shape == (1,)
    assert ferrograd.zeros(0, 3).view(-1, 3).shape == (0, 3)
    assert ferrograd.zeros(0, 3).view(3, 0, 5).shape == (3, 0, 5)


def test_view_can_split_a_transposed_dim():
    # Splitting one dim is always possible: the new dims inherit its stride.
    x = ferrograd.zeros(2, 3, 4).transpose(0, 2)  # shape (4, 3, 2), strides (1, 4, 12)
    assert x.view(2, 2, 3, 2).stride() == (2, 1, 4, 12)


def test_reshape_is_a_view_when_strides_allow_and_a_copy_otherwise():
    x = ferrograd.zeros(2, 3, 4)
    assert x.reshape(6, 4).data_ptr() == x.data_ptr()
    assert x.transpose(0, 2).reshape(2, 2, 3, 2).data_ptr() == x.data_ptr()
    assert x.transpose(0, 1).reshape(-1).data_ptr() != x.data_ptr()


def test_flatten_and_unflatten():
    x = ferrograd.zeros(2, 3, 4)
    assert x.flatten().shape == (24,)
    assert x.flatten(1).shape == (2, 12)
    assert x.flatten(0, 1).shape == (6, 4)
    assert x.flatten(-2, -1).stride() == (12, 1)
    assert ferrograd.tensor(1.0).flatten().shape == (1,)  # 0-d flattens to 1 element
    assert x.unflatten(2, (2, 2)).shape == (2, 3, 2, 2)
    assert x.unflatten(-1, (2, -1)).shape == (2, 3, 2, 2)


def test_unfold_makes_sliding_windows():
    # windows of size 3 every 2 elements of [0..6]: (7 - 3) // 2 + 1 = 3 windows
    u = ferrograd.arange(7.0).unfold(0, 3, 2)
    assert u.shape == (3, 3) and u.stride() == (2, 1)
    assert u.tolist() == [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 6.0]]
    assert ferrograd.tensor(5.0).unfold(0, 1, 1).tolist() == [5.0]


def test_diagonal_with_offsets():
    x = ferrograd.arange(12.0).reshape(3, 4)
    d = x.diagonal(1)  # x[i, i + 1]: stride 4 + 1, starting at element 1
    assert d.tolist() == [1.0, 6.0, 11.0] and d.stride() == (5,) and d.storage_offset() == 1
    d = x.diagonal(-1)  # x[i + 1, i]
    assert d.tolist() == [4.0, 9.0] and d.storage_offset() == 4
    assert x.diagonal(5).shape == (0,)


def test_as_strided_reads_overlapping_windows():
    x = ferrograd.arange(10.0)
    w = x.as_strided((3, 3), (1, 1), 2)
    assert w.tolist() == [[2.0, 3.0, 4.0], [3.0, 4.0, 5.0], [4.0, 5.0, 6.0]]
    # The default storage offset is the input's own offset, not 0.
    v = x[3:].as_strided((2,), (1,))
    assert v.tolist() == [3.0, 4.0] and v.storage_offset() == 3


def test_movedim_and_permute():
    x = ferrograd.zeros(2, 3, 4)
    assert x.movedim(0, -1).shape == (3, 4, 2) and x.movedim(0, -1).stride() == (4, 1, 12)
    assert x.movedim((0, 1), (2, 0)).shape == (3, 4, 2)
    assert x.moveaxis(0, 1).shape == (3, 2, 4)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.permute([2, 0, 1]).shape == (4, 2, 3)
    assert x.permute(-1, 0, 1).stride() == (1, 12, 4)
    assert ferrograd.permute(x, (1, 0, 2)).shape == (3, 2, 4)


def test_is_contiguous_ignores_size_one_dims():
    assert ferrograd.zeros(3, 1).t().is_contiguous()
    assert ferrograd.zeros(3, 1, 2).permute(1, 0, 2).is_contiguous()
    assert ferrograd.zeros(10).as_strided((2, 1, 3), (3, 100, 1)).is_contiguous()
    assert ferrograd.zeros(0, 3).t().is_contiguous()  # nothing to read: trivially contiguous
    assert not ferrograd.zeros(4)[::2].is_contiguous()
    assert not ferrograd.zeros(1, 3).expand(2, 3).is_contiguous()
    assert not ferrograd.zeros(2, 3).t().is_contiguous()


def test_contiguous_returns_self_or_a_row_major_copy():
    x = ferrograd.zeros(2, 3, 4)
    assert x.contiguous() is x
    c = x.transpose(0, 2).contiguous()
    assert c.stride() == (6, 2, 1) and c.data_ptr() != x.data_ptr()


@pytest.mark.parametrize(
    ("make", "strides"),
    [
        (lambda: ferrograd.zeros(2, 3, 4).permute(2, 0, 1), (1, 12, 4)),  # dense: kept
        (lambda: ferrograd.zeros(3, 4).t(), (1, 4)),  # dense: kept
        (lambda: ferrograd.zeros(3, 4)[:, ::2], (2, 1)),  # gaps: packed row-major
        (lambda: ferrograd.zeros(3).expand(2, 3), (3, 1)),  # stride 0: packed
        (lambda: ferrograd.zeros(4, 6).t()[::2], (1, 3)),  # gaps: packed in the input's order
    ],
)
def test_clone_preserves_the_memory_order_of_its_input(make, strides):
    x = make()
    c = x.clone()
    assert c.stride() == strides and c.storage_offset() == 0
    assert c.tolist() == x.tolist() and c.data_ptr() != x.data_ptr()


def test_detach_shares_storage_and_drops_requires_grad():
    x = ferrograd.zeros(3, requires_grad=True)
    d = x.detach()
    assert d.data_ptr() == x.data_ptr() and not d.requires_grad


def test_views_report_the_same_storage():
    x = ferrograd.zeros(2, 3, 4)
    for v in (x[1], x.mT, x.view(24), x.expand(5, 2, 3, 4), x.diagonal(), x.unfold(2, 2, 1)):
        assert shares_storage(v, x)
    assert x[1].untyped_storage().nbytes() == 96  # the whole storage, not just the view
    assert not shares_storage(x.clone(), x)


def test_writes_through_a_view_reach_the_base():
    x = ferrograd.zeros(3, 4)
    x.t()[1:, ::2].fill_(7.0)  # rows 1.. of x.t() are columns 1.. of x; ::2 picks rows 0, 2
    assert x.tolist() == [[0.0, 7.0, 7.0, 7.0], [0.0, 0.0, 0.0, 0.0], [0.0, 7.0, 7.0, 7.0]]


# ---------------------------------------------------------------- properties against numpy


def positive_step_indices(shape):
    """numpy basic indices (ints, slices, None, ...) without negative steps, which
    ferrograd, like PyTorch, rejects."""
    return hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True).filter(
        lambda ix: all(
            not isinstance(i, slice) or i.step is None or i.step > 0
            for i in (ix if isinstance(ix, tuple) else (ix,))
        )
    )


@pytest.mark.parametrize("name", DTYPE_NAMES)
@given(data=st.data())
def test_basic_indexing_matches_numpy(name, data):
    t, a = data.draw(views(dtype_names=[name])).build()
    index = data.draw(positive_step_indices(a.shape))
    assert_same_view(t[index], np.asarray(a[index]))


@given(view=views(), data=st.data())
def test_permute_and_transpose_match_numpy(view, data):
    t, a = view.build()
    perm = data.draw(st.permutations(range(a.ndim)))
    assert_same_view(t.permute(perm), a.transpose(perm))
    if a.ndim:
        i, j = (data.draw(st.integers(-a.ndim, a.ndim - 1)) for _ in range(2))
        assert_same_view(t.transpose(i, j), a.swapaxes(i, j))
        src = data.draw(st.integers(-a.ndim, a.ndim - 1))
        dst = data.draw(st.integers(-a.ndim, a.ndim - 1))
        assert_same_view(t.movedim(src, dst), np.moveaxis(a, src, dst))


@given(view=views(max_dims=5), data=st.data())
def test_unsqueeze_and_squeeze_match_numpy(view, data):
    t, a = view.build()
    d = data.draw(st.integers(-a.ndim - 1, a.ndim))
    assert_same_view(t.unsqueeze(d), np.expand_dims(a, d))
    assert_same_view(t.squeeze(), np.squeeze(a))
    ones = tuple(i for i, n in enumerate(a.shape) if n == 1)
    assert_same_view(t.squeeze(ones), np.squeeze(a, axis=ones))


@given(view=views(min_dims=1), data=st.data())
def test_expand_matches_numpy_broadcast_to(view, data):
    t, a = view.build()
    t, a = t[..., :1], a[..., :1]  # make the last dim broadcastable
    new = data.draw(st.integers(0, 3))
    lead = tuple(data.draw(st.lists(st.integers(0, 3), max_size=2)))
    target = lead + a.shape[:-1] + (new if a.shape[-1] == 1 else a.shape[-1],)
    assert_same_view(t.expand(*target), np.broadcast_to(a, target))


@given(view=views(min_dims=1), data=st.data())
def test_select_and_narrow_match_numpy_slicing(view, data):
    t, a = view.build()
    d = data.draw(st.integers(0, a.ndim - 1))
    n = a.shape[d]
    start = data.draw(st.integers(0, n))
    length = data.draw(st.integers(0, n - start))
    before = (slice(None),) * d
    assert_same_view(t.narrow(d, start, length), a[before + (slice(start, start + length),)])
    if n:
        i = data.draw(st.integers(-n, n - 1))
        assert_same_view(t.select(d, i), a[before + (i,)])


@given(view=views(min_dims=2), data=st.data())
def test_diagonal_matches_numpy(view, data):
    t, a = view.build()
    d1, d2 = data.draw(st.permutations(range(a.ndim)))[:2]
    offset = data.draw(st.integers(-3, 3))
    assert_same_view(t.diagonal(offset, d1, d2), np.diagonal(a, offset, d1, d2))


@given(view=views(min_dims=1), data=st.data())
def test_unfold_matches_numpy_sliding_windows(view, data):
    t, a = view.build()
    d = data.draw(st.integers(0, a.ndim - 1))
    size = data.draw(st.integers(0, a.shape[d]))
    step = data.draw(st.integers(1, 3))
    windows = np.lib.stride_tricks.sliding_window_view(a, size, axis=d)
    expected = windows[(slice(None),) * d + (slice(None, None, step),)]
    assert_same_view(t.unfold(d, size, step), expected)


@given(shape=shapes(), data=st.data())
def test_view_of_contiguous_tensor_matches_numpy_reshape(shape, data):
    a = example_array(shape, "int64")
    t = ferrograd.tensor(a)
    new_shape = data.draw(st.permutations(shape))  # same number of elements
    assert_same_view(t.view(new_shape), a.reshape(new_shape))
    assert t.view(new_shape).data_ptr() == t.data_ptr()
    assert_same_view(t.flatten(), a.reshape(-1))


@given(view=views(), data=st.data())
def test_reshape_and_contiguous_of_any_layout_match_numpy(view, data):
    t, a = view.build()
    new_shape = tuple(data.draw(st.permutations(a.shape)))
    r = t.reshape(new_shape)
    assert r.shape == new_shape
    np.testing.assert_array_equal(to_numpy(r), a.reshape(new_shape))
    c = t.contiguous()
    packed = a.copy(order="C")
    assert c.is_contiguous()
    assert significant_strides(c.shape, c.stride()) == significant_strides(
        packed.shape, element_strides(packed)
    )
    np.testing.assert_array_equal(to_numpy(c), a)


@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_as_strided_matches_numpy(shape, data):
    a = example_array((30,), "float64")
    strides = tuple(data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=3)))
    strides = strides[: len(shape)]
    last = sum((n - 1) * s for n, s in zip(shape, strides)) if 0 not in shape else 0
    offset = data.draw(st.integers(0, 29 - last))
    t = ferrograd.tensor(a).as_strided(shape, strides, offset)
    expected = np.lib.stride_tricks.as_strided(a[offset:], shape, [s * 8 for s in strides])
    np.testing.assert_array_equal(t.numpy(), expected)
    assert t.stride() == strides and t.storage_offset() == offset


@pytest.mark.parametrize("name", DTYPE_NAMES)
@given(data=st.data())
def test_random_view_chains_match_numpy_and_share_storage(name, data):
    view = data.draw(views(dtype_names=[name], layouts=["contiguous", "permuted+stepped"]))
    t, a = view.build()
    base = t
    for _ in range(data.draw(st.integers(1, 4))):
        choices = ["permute", "unsqueeze", "index"] + ["select", "diagonal"] * (a.ndim >= 2)
        op = data.draw(st.sampled_from(choices))
        if op == "permute":
            perm = data.draw(st.permutations(range(a.ndim)))
            t, a = t.permute(perm), a.transpose(perm)
        elif op == "unsqueeze":
            d = data.draw(st.integers(0, a.ndim))
            t, a = t.unsqueeze(d), np.expand_dims(a, d)
        elif op == "index":
            index = data.draw(positive_step_indices(a.shape))
            t, a = t[index], np.asarray(a[index])
        elif op == "select" and a.shape[0]:
            t, a = t.select(0, -1), a[-1]
        elif op == "diagonal":
            t, a = t.diagonal(0, -2, -1), np.diagonal(a, 0, -2, -1)
        assert_same_view(t, a)
    assert shares_storage(t, base)
