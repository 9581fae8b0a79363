"""Zero-copy sharing with numpy, shared storage between views, and the version counter."""

from __future__ import annotations

import re

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from strategies import DTYPE_NAMES, dtype, element_strides, significant_strides, views

NUMPY_NAMES = [n for n in DTYPE_NAMES if n != "bfloat16"]  # numpy has no bfloat16

# ---------------------------------------------------------------- from_numpy


@pytest.mark.parametrize("name", NUMPY_NAMES)
def test_from_numpy_keeps_the_dtype(name):
    assert ferrograd.from_numpy(np.zeros(2, dtype=name)).dtype == dtype(name)


def test_from_numpy_shares_memory_both_ways():
    a = np.zeros((2, 3))
    t = ferrograd.from_numpy(a)
    a[0, 1] = 5.0
    assert t[0, 1].item() == 5.0
    t[1, 2] = 7.0
    assert a[1, 2] == 7.0
    assert t.data_ptr() == a.ctypes.data


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a.T,
        lambda a: a[:, ::2],
        lambda a: a[1:, 1:],
        lambda a: a[::2, 1::3],
        lambda a: np.lib.stride_tricks.as_strided(a, (3, 4), (0, 8)),  # stride 0
    ],
)
def test_from_numpy_keeps_strides_and_offset_of_views(make):
    base = np.arange(12.0).reshape(3, 4)
    a = make(base)
    t = ferrograd.from_numpy(a)
    assert t.shape == a.shape and t.stride() == element_strides(a)
    assert t.data_ptr() == a.ctypes.data
    assert t.tolist() == a.tolist()


def test_from_numpy_of_0d_and_empty_arrays():
    assert ferrograd.from_numpy(np.array(2.5)).shape == ()
    assert ferrograd.from_numpy(np.zeros((0, 3))).shape == (0, 3)


NEGATIVE_STRIDES = (
    "At least one stride in the given numpy array is negative, and tensors with negative "
    "strides are not currently supported. (You can probably work around this by making a copy "
    "of your array  with array.copy().) "  # sic: two spaces and a trailing space
)


@pytest.mark.parametrize("convert", [ferrograd.from_numpy, ferrograd.tensor, ferrograd.as_tensor])
def test_negative_strides_are_rejected(convert):
    with pytest.raises(ValueError, match=re.escape(NEGATIVE_STRIDES)):
        convert(np.arange(3)[::-1])


@pytest.mark.parametrize(
    ("array", "type_name"),
    [
        (np.array(["a"]), "numpy.str_"),
        (np.array([1, None]), "numpy.object_"),
        (np.zeros(2, "datetime64[s]"), "numpy.datetime64"),
    ],
)
def test_unsupported_numpy_dtypes_raise_type_error(array, type_name):
    # PyTorch then lists the dtypes it supports; ferrograd lists its own.
    msg = f"can't convert np.ndarray of type {type_name}. The only supported types are: "
    with pytest.raises(TypeError, match=re.escape(msg)):
        ferrograd.from_numpy(array)


@pytest.mark.parametrize("name", ["uint16", "uint32", "uint64", "complex64", "complex128"])
def test_numpy_dtypes_without_a_ferrograd_dtype_raise_type_error(name):
    assert not hasattr(ferrograd, name)  # ferrograd has no such dtype, so numpy's is refused
    msg = f"can't convert np.ndarray of type numpy.{name}. The only supported types are: "
    with pytest.raises(TypeError, match=re.escape(msg)):
        ferrograd.from_numpy(np.zeros(2, dtype=name))


def test_from_numpy_rejects_non_arrays_and_other_byte_orders():
    with pytest.raises(TypeError, match=re.escape("expected np.ndarray (got list)")):
        ferrograd.from_numpy([1, 2])
    msg = "given numpy array has byte order different from the native byte order"
    with pytest.raises(ValueError, match=msg):
        ferrograd.from_numpy(np.zeros(2, ">f4"))


# ---------------------------------------------------------------- Tensor.numpy()


@pytest.mark.parametrize("name", NUMPY_NAMES)
def test_numpy_keeps_the_dtype(name):
    assert ferrograd.zeros(2, dtype=dtype(name)).numpy().dtype == np.dtype(name)


def test_numpy_shares_memory_both_ways():
    t = ferrograd.zeros(2, 3)
    a = t.numpy()
    a[0, 0] = 1.0
    assert t[0, 0].item() == 1.0
    t[1, 1] = 2.0
    assert a[1, 1] == 2.0
    assert a.flags.writeable and a.ctypes.data == t.data_ptr()
    assert ferrograd.tensor(2.0).numpy().shape == ()


@given(view=views(dtype_names=NUMPY_NAMES))
def test_numpy_of_any_view_has_the_same_strides_and_values(view):
    t, a = view.build()
    out = t.numpy()
    assert out.shape == a.shape
    assert significant_strides(out.shape, element_strides(out)) == significant_strides(
        t.shape, t.stride()
    )
    np.testing.assert_array_equal(out, a)
    if t.numel():
        assert out.ctypes.data == t.data_ptr()


def test_np_asarray_is_zero_copy():
    t = ferrograd.zeros(3)
    a = np.asarray(t)
    a[0] = 4.0
    assert t.tolist() == [4.0, 0.0, 0.0]
    assert np.asarray(ferrograd.zeros(2, dtype=ferrograd.int8)).dtype == np.int8
    assert ferrograd.zeros(2).__array__(np.float64).dtype == np.float64


REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)


def test_numpy_of_a_tensor_that_requires_grad_raises():
    t = ferrograd.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape(REQUIRES_GRAD)):
        t.numpy()
    with pytest.raises(RuntimeError, match=re.escape(REQUIRES_GRAD)):
        np.asarray(t)
    assert t.detach().numpy().tolist() == [1.0, 1.0]


def test_numpy_force_true_detaches_and_still_shares():
    t = ferrograd.ones(2, requires_grad=True)
    a = t.numpy(force=True)
    a[0] = 9.0
    assert t.detach().tolist() == [9.0, 1.0]


def test_bfloat16_has_no_numpy_dtype():
    t = ferrograd.zeros(2, dtype=ferrograd.bfloat16)
    for convert in (lambda: t.numpy(), lambda: t.numpy(force=True), lambda: np.asarray(t)):
        with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
            convert()


# ---------------------------------------------------------------- storage and versions


def test_views_share_one_storage():
    x = ferrograd.zeros(4)
    v = x[1:]
    assert v.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert v.data_ptr() - x.data_ptr() == 4  # one float32 further on
    assert x.clone().untyped_storage().data_ptr() != x.untyped_storage().data_ptr()


def test_version_counts_in_place_writes():
    t = ferrograd.zeros(3)
    assert t._version == 0
    t.fill_(1.0)
    assert t._version == 1
    t[0] = 5.0
    assert t._version == 2
    t[::2] = 1.0
    t.copy_(ferrograd.ones(3))
    t.uniform_()
    t.zero_()
    assert t._version == 6


def test_reads_and_out_of_place_ops_do_not_bump_the_version():
    t = ferrograd.zeros(3)
    t.clone().fill_(1.0)
    t.tolist(), t.numpy(), t.view(3), t.to(ferrograd.float64)
    assert t._version == 0
    t.numpy()[0] = 1.0  # numpy writes are invisible to the counter
    assert t._version == 0


def test_views_and_detach_share_the_version_counter():
    t = ferrograd.zeros(3)
    v = t[1:]
    v.fill_(2.0)
    assert t._version == v._version == 1
    d = t.detach()
    d.zero_()
    assert t._version == d._version == 2
    assert t.reshape(3)._version == 2  # a view made later sees the current count
    assert t.clone()._version == 0  # a copy starts afresh


def test_data_has_its_own_version_counter():
    t = ferrograd.zeros(3)
    t.fill_(1.0)
    data = t.data
    assert data._version == 0
    data.zero_()
    assert data._version == 1 and t._version == 1
    assert t.tolist() == [0.0, 0.0, 0.0]  # but it shares the storage
