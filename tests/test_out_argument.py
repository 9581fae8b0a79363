"""`out=` as PyTorch treats it: written in place when it has the result's shape, resized (with a
deprecation warning when it held elements) otherwise, and refused when the result's dtype cannot
be cast to it."""

import re
import warnings

import ferrograd
import pytest

RESIZED = "An output with one or more elements was resized since it had shape [2]"


def test_elementwise_out_of_the_right_shape_is_written_in_place():
    out = ferrograd.zeros(3)
    base = out
    r = ferrograd.add(ferrograd.ones(3), 1, out=out)
    assert r is out and base.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize(
    "call",
    [
        lambda out: ferrograd.add(ferrograd.ones(3), 1, out=out),
        lambda out: ferrograd.exp(ferrograd.zeros(3), out=out),
        lambda out: ferrograd.where(
            ferrograd.ones(3) > 0, ferrograd.full((3,), 2.0), ferrograd.zeros(3), out=out
        ),
        lambda out: ferrograd.clamp(ferrograd.ones(3) * 2, max=2.0, out=out),
        lambda out: ferrograd.sum(ferrograd.ones(3, 2), 1, out=out),
    ],
)
def test_out_of_another_shape_is_resized_with_a_warning(call):
    out = ferrograd.zeros(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = call(out)
    assert r is out and out.shape == (3,)
    assert out.tolist() in ([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
    assert any(RESIZED in str(w.message) for w in caught)


def test_an_empty_out_is_resized_silently():
    out = ferrograd.zeros(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ferrograd.mul(ferrograd.ones(2, 2), 3, out=out)
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_a_resized_out_still_needs_a_castable_dtype():
    out = ferrograd.zeros(2, dtype=ferrograd.int64)
    with pytest.raises(
        RuntimeError, match="result type Float can't be cast to the desired output type Long"
    ):
        ferrograd.add(ferrograd.ones(3), 1, out=out)


def test_sum_accumulates_in_the_dtype_of_out_and_mean_checks_the_cast():
    x = ferrograd.full((3, 3), 1.5)
    out = ferrograd.zeros(3, dtype=ferrograd.int64)
    ferrograd.sum(x, 0, out=out)
    assert out.dtype == ferrograd.int64 and out.tolist() == [3, 3, 3]  # 1 + 1 + 1
    with pytest.raises(
        RuntimeError, match="result type Float can't be cast to the desired output type Long"
    ):
        ferrograd.mean(x, 0, out=out)
    wide = ferrograd.zeros(3, dtype=ferrograd.float64)
    assert ferrograd.mean(x, 0, out=wide) is wide and wide.tolist() == [1.5, 1.5, 1.5]


@pytest.mark.parametrize(
    ("call", "out_dtype", "message"),
    [
        (
            lambda x, o: ferrograd.amax(x, 0, out=o),
            ferrograd.float64,
            (
                "Expected the dtype for input and out to match, but got Float for input's dtype and "
                "Double for out's dtype."
            ),
        ),
        (
            lambda x, o: ferrograd.argmax(x, 0, out=o),
            ferrograd.float32,
            "Expected out tensor to have dtype long int, but got float instead",
        ),
        (
            lambda x, o: ferrograd.all(x, 0, out=o),
            ferrograd.int64,
            "all only supports bool tensor for result, got: Long",
        ),
        (
            lambda x, o: ferrograd.logsumexp(x, 0, out=o),
            ferrograd.int64,
            "logsumexp(): Expected floating point type for result tensor, but got: Long",
        ),
        (
            lambda x, o: ferrograd.std(x, 0, out=o),
            ferrograd.int64,
            "result type Float can't be cast to the desired output type Long",
        ),
    ],
)
def test_reductions_check_the_dtype_of_out_as_pytorch_does(call, out_dtype, message):
    with pytest.raises(RuntimeError, match=re.escape(message)):
        call(ferrograd.ones(3, 3), ferrograd.zeros(3, dtype=out_dtype))


def test_reductions_write_into_out():
    x = ferrograd.tensor([[1.0, 5.0], [3.0, 2.0]])
    checks = [
        (lambda o: ferrograd.amax(x, 0, out=o), ferrograd.float32, [3.0, 5.0]),
        (lambda o: ferrograd.argmax(x, 1, out=o), ferrograd.int64, [1, 0]),
        (lambda o: ferrograd.any(x > 4, 1, out=o), ferrograd.bool, [True, False]),
        (lambda o: ferrograd.prod(x, 1, out=o), ferrograd.int64, [5, 6]),
        (lambda o: ferrograd.cumsum(x[0], 0, out=o), ferrograd.float64, [1.0, 6.0]),
        (lambda o: ferrograd.var(x, 0, out=o), ferrograd.float64, [2.0, 4.5]),
    ]
    for call, dtype, want in checks:
        out = ferrograd.zeros(2, dtype=dtype)
        assert call(out) is out and out.tolist() == want


def test_indexing_ops_write_into_out_of_the_same_dtype():
    x = ferrograd.arange(6.0).view(2, 3)
    index = ferrograd.tensor([[1, 0, 1]])
    cases = [
        (
            lambda o: ferrograd.index_select(x, 1, ferrograd.tensor([2, 0]), out=o),
            [[2.0, 0.0], [5.0, 3.0]],
        ),
        (lambda o: ferrograd.gather(x, 0, index, out=o), [[3.0, 1.0, 5.0]]),
        (lambda o: ferrograd.take_along_dim(x, index, 0, out=o), [[3.0, 1.0, 5.0]]),
        (lambda o: ferrograd.masked_select(x, x > 3, out=o), [4.0, 5.0]),
    ]
    for call, want in cases:
        out = ferrograd.zeros(0)
        assert call(out) is out and out.tolist() == want


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda x, o: ferrograd.index_select(x, 0, ferrograd.tensor([0]), out=o),
            "index_select(): self and result must have the same scalar type",
        ),
        (
            lambda x, o: ferrograd.masked_select(x, x > 0, out=o),
            "masked_select(): self and result must have the same scalar type",
        ),
        (
            lambda x, o: ferrograd.gather(x, 0, ferrograd.tensor([[0]]), out=o),
            "Expected out tensor to have dtype float, but got double instead",
        ),
    ],
)
def test_indexing_ops_refuse_out_of_another_dtype(call, message):
    with pytest.raises(RuntimeError, match=re.escape(message)):
        call(ferrograd.ones(2, 2), ferrograd.zeros(0, dtype=ferrograd.float64))
