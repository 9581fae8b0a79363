"""Tensor.new_* factories: the source tensor's dtype is the default, as in PyTorch."""

import warnings

import ferrograd
import pytest


def test_new_factories_take_the_source_dtype():
    x = ferrograd.zeros(2, dtype=ferrograd.int32)
    assert x.new_zeros(2, 3).dtype == ferrograd.int32
    assert x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_zeros(size=(1,)).tolist() == [0]
    assert x.new_ones((2,)).tolist() == [1, 1]
    assert x.new_empty(0).shape == (0,)
    # new_full keeps the source dtype even for a float fill value (full would infer float)
    full = x.new_full((2,), 2.5)
    assert full.dtype == ferrograd.int32 and full.tolist() == [2, 2]
    assert x.new_full(size=(1,), fill_value=3).tolist() == [3]
    t = x.new_tensor([1.5, 2])
    assert t.dtype == ferrograd.int32 and t.tolist() == [1, 2]


def test_new_factories_accept_a_dtype():
    x = ferrograd.zeros(2, dtype=ferrograd.int32)
    assert x.new_zeros(3, dtype=ferrograd.float64).dtype == ferrograd.float64
    assert x.new_tensor([1], dtype=ferrograd.bool).dtype == ferrograd.bool


def test_new_tensor_from_a_tensor_warns():
    x = ferrograd.zeros(2, dtype=ferrograd.int32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = x.new_tensor(ferrograd.ones(2))
    assert t.dtype == ferrograd.int32 and t.tolist() == [1, 1]
    assert "rather than tensor.new_tensor(sourceTensor)" in str(caught[0].message)


def test_size_given_twice_is_a_type_error():
    x = ferrograd.zeros(2)
    with pytest.raises(TypeError, match="got multiple values for argument 'size'"):
        x.new_zeros((2,), size=(2,))


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.view(size=(3, 2)),
        lambda x: x.reshape(shape=(3, 2)),
        lambda x: x.permute(dims=(1, 0)),
        lambda x: x.expand(size=(1, 2, 3))[0].t(),
        lambda x: x.broadcast_to(size=(1, 2, 3))[0].t(),
        lambda x: ferrograd.broadcast_to(x, size=(2, 3)).t(),
    ],
)
def test_size_keywords_of_the_view_ops(call):
    x = ferrograd.arange(6).view(2, 3)
    assert call(x).shape == (3, 2)
