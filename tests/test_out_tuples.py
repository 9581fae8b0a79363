"""`out=` on ops with several results (a tuple of tensors, PyTorch's `<op>_out` named tuple) and
on the remaining single-result ops, with the dtype check and message PyTorch has for each."""

import re

import ferrograd
import numpy as np
import pytest

F, D, L, I32 = ferrograd.float32, ferrograd.float64, ferrograd.int64, ferrograd.int32
X = ferrograd.tensor([[3.0, 1.0, 2.0, 5.0], [0.5, 4.0, 4.0, 1.0], [2.0, 2.0, 7.0, 0.0]])


def empty(dtype):
    return ferrograd.empty(0, dtype=dtype)


# name, call(out), field names: each op's result with out= must equal the plain call's.
TUPLE_OPS = [
    ("max", lambda out=None: ferrograd.max(X, 1, out=out), ("values", "indices")),
    ("min", lambda out=None: ferrograd.min(X, 1, keepdim=True, out=out), ("values", "indices")),
    (
        "sort",
        lambda out=None: ferrograd.sort(X, 1, descending=True, out=out),
        ("values", "indices"),
    ),
    ("topk", lambda out=None: ferrograd.topk(X, 2, out=out), ("values", "indices")),
    ("median", lambda out=None: ferrograd.median(X, 0, out=out), ("values", "indices")),
    ("nanmedian", lambda out=None: ferrograd.nanmedian(X, 1, out=out), ("values", "indices")),
    ("mode", lambda out=None: ferrograd.mode(X, 1, out=out), ("values", "indices")),
    ("kthvalue", lambda out=None: ferrograd.kthvalue(X, 2, 1, out=out), ("values", "indices")),
    ("cummax", lambda out=None: ferrograd.cummax(X, 1, out=out), ("values", "indices")),
    ("cummin", lambda out=None: ferrograd.cummin(X, 0, out=out), ("values", "indices")),
    ("aminmax", lambda out=None: ferrograd.aminmax(X, dim=1, out=out), ("min", "max")),
    (
        "histogram",
        lambda out=None: ferrograd.histogram(X.flatten(), 3, out=out),
        ("hist", "bin_edges"),
    ),
]


@pytest.mark.parametrize("name,call,fields", TUPLE_OPS, ids=[t[0] for t in TUPLE_OPS])
def test_tuple_out_is_filled_and_returned_as_the_out_named_tuple(name, call, fields):
    expected = call()
    outs = tuple(empty(t.dtype) for t in expected)
    r = call(outs)
    assert type(r).__name__ == f"{name}_out"
    assert type(r).__module__ == "ferrograd.return_types"
    assert all(a is b for a, b in zip(r, outs))
    for field, got, want in zip(fields, r, expected):
        assert getattr(r, field) is got
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert repr(r).startswith(f"ferrograd.return_types.{name}_out(\n{fields[0]}=tensor(")


def test_tuple_out_of_the_right_shape_keeps_its_storage_and_a_list_is_accepted():
    values, indices = ferrograd.zeros(3), ferrograd.zeros(3, dtype=L)
    alias = values.view(3)
    ferrograd.max(X, 1, out=[values, indices])
    assert alias.tolist() == [5.0, 4.0, 7.0]
    assert indices.tolist() == [3, 1, 2]


@pytest.mark.parametrize(
    "call,outs,message",
    [
        (
            lambda o: ferrograd.max(X, 1, out=o),
            (D, L),
            "Expected out tensor to have dtype float, but got double instead",
        ),
        (
            lambda o: ferrograd.min(X, 1, out=o),
            (F, I32),
            "Expected out tensor to have dtype long int, but got int instead",
        ),
        (
            lambda o: ferrograd.sort(X, out=o),
            (D, L),
            "Expected out tensor to have dtype float, but got double instead",
        ),
        (
            lambda o: ferrograd.topk(X, 1, out=o),
            (F, I32),
            "Expected out tensor to have dtype long int, but got int instead",
        ),
        (
            lambda o: ferrograd.median(X, 1, out=o),
            (D, L),
            (
                "Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type "
                "ferrograd.DoubleTensor does not equal ferrograd.FloatTensor (while checking arguments for median)"
            ),
        ),
        (
            lambda o: ferrograd.nanmedian(X, 1, out=o),
            (F, I32),
            (
                "Expected tensor for argument #1 'indices' to have scalar type Long; but got ferrograd.IntTensor "
                "instead (while checking arguments for median)"
            ),
        ),
        (
            lambda o: ferrograd.mode(X, 1, out=o),
            (D, L),
            "expected scalar type 'Float' but got 'Double' for values output",
        ),
        (
            lambda o: ferrograd.mode(X, 1, out=o),
            (F, I32),
            "expected scalar type 'Long' but got 'Int' for indices output",
        ),
        (
            lambda o: ferrograd.kthvalue(X, 1, out=o),
            (D, L),
            "output values must be of same type as input",
        ),
        (
            lambda o: ferrograd.kthvalue(X, 1, out=o),
            (F, I32),
            "output indices must be of scalar type Long",
        ),
        (
            lambda o: ferrograd.cummax(X, 1, out=o),
            (D, L),
            "expected scalar_type Float but found Double",
        ),
        (
            lambda o: ferrograd.cummin(X, 1, out=o),
            (F, I32),
            "expected scalar_type Long but found Int",
        ),
        (
            lambda o: ferrograd.aminmax(X, dim=1, out=o),
            (F, L),
            "Expected out tensor to have dtype float, but got long int instead",
        ),
        (
            lambda o: ferrograd.histogram(X.flatten(), 3, out=o),
            (D, F),
            "torch.histogram: input tensor and hist tensor should have the same dtype, but got input float and hist double",
        ),
        (
            lambda o: ferrograd.histogram(X.flatten(), 3, out=o),
            (F, D),
            (
                "torch.histogram: input tensor and bin_edges tensor should have the same dtype, but got input float "
                "and bin_edges double for dimension 0"
            ),
        ),
        (
            lambda o: ferrograd.linalg.qr(ferrograd.eye(3), out=o),
            (F, D),
            "Expected out tensor to have dtype float, but got double instead",
        ),
        (
            lambda o: ferrograd.linalg.inv_ex(ferrograd.eye(3), out=o),
            (F, L),
            "Expected out tensor to have dtype int, but got long int instead",
        ),
    ],
)
def test_tuple_out_of_the_wrong_dtype_is_refused_before_anything_is_written(call, outs, message):
    targets = tuple(ferrograd.full((2,), 9, dtype=dt) for dt in outs)
    with pytest.raises(RuntimeError, match=re.escape(message)):
        call(targets)
    assert all(t.tolist() == [9, 9] for t in targets)


def test_tuple_out_must_be_a_tuple_of_the_right_length():
    with pytest.raises(
        TypeError, match=re.escape("sort(): argument 'out' must be tuple of Tensors, not Tensor")
    ):
        ferrograd.sort(X, out=empty(F))
    with pytest.raises(TypeError, match="expected tuple of 2 elements but got 3"):
        ferrograd.topk(X, 1, out=(empty(F), empty(L), empty(L)))


@pytest.mark.parametrize(
    "name,call",
    [
        ("linalg_qr", lambda o=None: ferrograd.linalg.qr(ferrograd.eye(3) * 2, out=o)),
        ("linalg_svd", lambda o=None: ferrograd.linalg.svd(ferrograd.eye(3) * 2, out=o)),
        ("linalg_eigh", lambda o=None: ferrograd.linalg.eigh(ferrograd.eye(3) * 2, out=o)),
        ("linalg_slogdet", lambda o=None: ferrograd.linalg.slogdet(ferrograd.eye(3) * 2, out=o)),
        ("linalg_inv_ex", lambda o=None: ferrograd.linalg.inv_ex(ferrograd.eye(3) * 2, out=o)),
        (
            "linalg_cholesky_ex",
            lambda o=None: ferrograd.linalg.cholesky_ex(ferrograd.eye(3) * 2, out=o),
        ),
        (
            "linalg_solve_ex",
            lambda o=None: ferrograd.linalg.solve_ex(
                ferrograd.eye(3) * 2, ferrograd.ones(3, 1), out=o
            ),
        ),
        (
            "linalg_lstsq",
            lambda o=None: ferrograd.linalg.lstsq(
                ferrograd.eye(3) * 2, ferrograd.ones(3, 1), out=o
            ),
        ),
        ("svd", lambda o=None: ferrograd.svd(ferrograd.eye(3) * 2, out=o)),
        ("qr", lambda o=None: ferrograd.qr(ferrograd.eye(3) * 2, out=o)),
        ("slogdet", lambda o=None: ferrograd.slogdet(ferrograd.eye(3) * 2, out=o)),
    ],
)
def test_linalg_results_go_into_a_tuple_out(name, call):
    expected = call()
    outs = tuple(empty(t.dtype) for t in expected)
    r = call(outs)
    assert type(r).__name__ == f"{name}_out"
    for got, want, target in zip(r, expected, outs):
        assert got is target
        np.testing.assert_allclose(got.numpy(), want.numpy())


def test_lstsq_casts_into_its_out_as_pytorch_does():
    outs = (empty(D), empty(F), empty(L), empty(F))
    r = ferrograd.linalg.lstsq(ferrograd.eye(2) * 2, ferrograd.ones(2, 1), out=outs)
    assert r.solution.dtype == D and r.solution.tolist() == [[0.5], [0.5]]


# Single-result ops that take `out=`: call(out), the dtype out must have, and the message for
# an out of another dtype.
SINGLE_OPS = [
    (
        lambda o: ferrograd.take(X, ferrograd.tensor([0, 5]), out=o),
        F,
        "take(): self and out expected to have the same dtype, but got self.dtype = Float and out.dtype = Double",
    ),
    (
        lambda o: ferrograd.nonzero(X, out=o),
        L,
        "nonzero: Expected out tensor to have scalar type Long but got scalar typeDouble",
    ),
    (
        lambda o: ferrograd.searchsorted(ferrograd.tensor([0.0, 1.0, 5.0]), X, out=o),
        L,
        (
            "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) depending "
            "on whether out_int32 flag is True, but we got output tensor's dtype Double and out_int32 flag is False"
        ),
    ),
    (
        lambda o: ferrograd.bucketize(X, ferrograd.tensor([0.0, 1.0, 5.0]), out_int32=True, out=o),
        I32,
        "but we got output tensor's dtype Double and out_int32 flag is True",
    ),
    (
        lambda o: ferrograd.histc(X, bins=4, out=o),
        F,
        "torch.histogram: input tensor and hist tensor should have the same dtype, but got input float and hist double",
    ),
    (
        lambda o: ferrograd.quantile(X, 0.3, dim=1, out=o),
        F,
        "quantile() out tensor must be same dtype as the input tensor",
    ),
    (
        lambda o: ferrograd.nanquantile(X, ferrograd.tensor([0.1, 0.9]), out=o),
        F,
        "quantile() out tensor must be same dtype as the input tensor",
    ),
    (
        lambda o: ferrograd.logcumsumexp(X, 1, out=o),
        F,
        "expected scalar_type Float but found Double",
    ),
    (
        lambda o: ferrograd.msort(X, out=o),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (
        lambda o: ferrograd.argsort(X, out=o),
        L,
        "Expected out tensor to have dtype long int, but got double instead",
    ),
    (
        lambda o: ferrograd.norm(X, dim=1, out=o),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (
        lambda o: ferrograd.linalg.vector_norm(X, out=o),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (
        lambda o: ferrograd.linalg.matrix_norm(X, out=o),
        F,
        "linalg.matrix_norm expected out tensor dtype Float but got: Double",
    ),
    (
        lambda o: ferrograd.linalg.norm(X, out=o),
        F,
        "linalg.norm expected out tensor dtype Float but got: Double",
    ),
    (
        lambda o: ferrograd.matrix_power(X[:, :3], 2, out=o),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (lambda o: ferrograd.clamp_min(X, 1.5, out=o), F, "Found dtype Double but expected Float"),
    (lambda o: ferrograd.clamp_max(X, 1.5, out=o), F, "Found dtype Double but expected Float"),
    (
        lambda o: ferrograd.clamp(X, min=1.0, max=2.0, out=o),
        F,
        "Found dtype Double but expected Float",
    ),
    (
        lambda o: ferrograd.scatter(X, 1, ferrograd.tensor([[0], [1], [2]]), 9.0, out=o),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (
        lambda o: ferrograd.scatter_add(
            X, 1, ferrograd.tensor([[0], [1], [2]]), ferrograd.ones(3, 1), out=o
        ),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (
        lambda o: ferrograd.scatter_reduce(
            X, 1, ferrograd.tensor([[0], [1], [2]]), ferrograd.ones(3, 1), "amax", out=o
        ),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (
        lambda o: ferrograd.index_add(
            X, 0, ferrograd.tensor([2]), ferrograd.ones(1, 4), alpha=2, out=o
        ),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (
        lambda o: ferrograd.index_copy(X, 0, ferrograd.tensor([2]), ferrograd.ones(1, 4), out=o),
        F,
        "Expected out tensor to have dtype float, but got double instead",
    ),
    (lambda o: ferrograd.max(X, out=o), F, None),
]


@pytest.mark.parametrize("call,dtype,message", SINGLE_OPS)
def test_single_result_ops_fill_out_and_check_its_dtype(call, dtype, message):
    expected = call(None)
    out = ferrograd.empty(0, dtype=dtype)
    assert call(out) is out
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    if message is not None:
        with pytest.raises(RuntimeError, match=re.escape(message)):
            call(ferrograd.empty(0, dtype=D))


def test_clamp_with_a_tensor_bound_casts_into_out():
    out = ferrograd.empty(0, dtype=D)
    ferrograd.clamp(X, min=ferrograd.tensor(1.0), out=out)
    assert out.dtype == D and out.min().item() == 1.0


def test_median_without_dim_takes_no_out():
    with pytest.raises(
        TypeError, match=re.escape('median() missing 1 required positional arguments: "dim"')
    ):
        ferrograd.median(X, out=empty(F))
