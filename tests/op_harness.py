"""Running an op-table row: PyTorch's type promotion, the numpy reference in the dtype the op
computes in, and the comparison of ferrograd's result (values, NaN positions, dtype, shape).
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import ferrograd
import numpy as np
import pytest
from op_refs import Indices, Refused, Typed, Unspecified
from op_refs_index import SortIndices
from op_refs_linalg import Check
from op_spec import DEFAULT_FLOAT, V, is_float
from strategies import to_numpy

# ---------------------------------------------------------------- dtypes


def name_of(dtype) -> str:
    """ "float32" for ferrograd.float32 (the module prefix is left out)."""
    return str(dtype).rsplit(".", 1)[-1]


def dtype_of(name: str):
    return getattr(ferrograd, name)


def _promote_pair(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return name_of(ferrograd.promote_types(dtype_of(a), dtype_of(b)))


def _combine(higher: str | None, lower: str | None) -> str | None:
    """A lower priority class (0-dim tensors, then Python scalars) only counts when it is of a
    higher category than what the higher class gave (bool < integer < float)."""
    if higher is None or lower is None:
        return higher or lower
    if is_float(higher):
        return higher
    if higher == "bool" or is_float(lower):
        return _promote_pair(higher, lower)
    return higher


def scalar_dtype(value) -> str:
    if isinstance(value, bool):
        return "bool"
    return "int64" if isinstance(value, int) else DEFAULT_FLOAT


def promote(values) -> str:
    """PyTorch's result_type over any number of tensors and Python scalars."""
    dims = zeros = scalars = None
    for v in values:
        if isinstance(v, str):  # einsum's equation
            continue
        if isinstance(v, ferrograd.Tensor):
            if v.dim() > 0:
                dims = _promote_pair(dims, name_of(v.dtype))
            else:
                zeros = _promote_pair(zeros, name_of(v.dtype))
        else:
            scalars = _promote_pair(scalars, scalar_dtype(v))
    return _combine(_combine(dims, zeros), scalars)


# ---------------------------------------------------------------- numpy side


def round_bf16(a) -> np.ndarray:
    """float32 values rounded to the nearest bfloat16 (ties to even), kept as float32."""
    a = np.array(a, dtype=np.float32, order="C")  # ascontiguousarray would make 0-d 1-d
    bits = a.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    return np.where(np.isnan(a), a, rounded.view(np.float32))


def round_to(a, name: str) -> np.ndarray:
    """The values a tensor of dtype `name` would hold (bfloat16 held as float32)."""
    a = np.asarray(a)
    with np.errstate(all="ignore"):
        if name == "bfloat16":
            return round_bf16(a.astype(np.float32))
        if name == "bool":
            return a.astype(bool)
        if a.dtype.kind == "f" and not is_float(name):
            a = np.nan_to_num(np.trunc(a))  # never needed for valid results; avoids casting noise
        return a.astype(np.dtype(name))


def compute_array(value, compute: str) -> np.ndarray:
    """An operand as the op sees it: cast to the dtype it computes in, held as float64 when
    that is a float dtype (numpy then computes exactly enough to round like PyTorch)."""
    a = to_numpy(value) if isinstance(value, ferrograd.Tensor) else np.asarray(value)
    a = round_to(a, compute)
    return a.astype(np.float64) if is_float(compute) else a


def compute_dtype(dtypes, common: str) -> str:
    """PyTorch casts the inputs straight to a float result dtype (an int32 -5 stays -5 even
    when promotion with a uint8 tensor gives uint8); otherwise it computes in `common`."""
    floats = [d for d in (dtypes if isinstance(dtypes, tuple) else (dtypes,)) if is_float(d)]
    return floats[0] if floats else common


def per_output(dtypes, n: int) -> tuple:
    """One dtype per output (a single rule applies to every output of a tuple)."""
    return dtypes if isinstance(dtypes, tuple) else (dtypes,) * n


def first_of(dtypes) -> str:
    """A single output of an op whose rule covers several (max without a dim: no indices)."""
    return dtypes[0] if isinstance(dtypes, tuple) else dtypes


def finish(out, rule_dtypes):
    """Reference outputs rounded to the result dtypes (tuples element by element)."""
    if isinstance(out, tuple):
        return tuple(finish(o, r) for o, r in zip(out, per_output(rule_dtypes, len(out))))
    if isinstance(out, (bool, Indices, Unspecified, SortIndices, Check)):
        return out
    return round_to(out, first_of(rule_dtypes))


# ---------------------------------------------------------------- comparison


def assert_close(actual, expected: np.ndarray, dtype: str, tol: tuple[float, float]) -> None:
    assert isinstance(actual, ferrograd.Tensor), f"expected a tensor, got {type(actual)}"
    assert name_of(actual.dtype) == dtype, f"dtype {actual.dtype}, expected {dtype}"
    assert tuple(actual.shape) == expected.shape, f"shape {tuple(actual.shape)} != {expected.shape}"
    got = to_numpy(actual)
    if not is_float(dtype):
        np.testing.assert_array_equal(got, expected)
        return
    got, expected = got.astype(np.float64), expected.astype(np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected), err_msg="NaN positions")
    rtol, atol = tol
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


def assert_indices(actual, values: np.ndarray, source: np.ndarray, marker: Indices) -> None:
    """`actual` indexes `source` along `marker.dim` to give `values` (NaN matches NaN)."""
    assert isinstance(actual, ferrograd.Tensor) and name_of(actual.dtype) == "int64"
    assert tuple(actual.shape) == values.shape
    idx = to_numpy(actual)
    src = source.reshape(1) if source.ndim == 0 else source
    dim = marker.dim % src.ndim
    if not marker.keepdim or values.ndim < src.ndim:
        idx, values = np.expand_dims(idx, dim), np.expand_dims(values, dim)
    if idx.size == 0:
        return
    assert idx.min() >= 0 and idx.max() < src.shape[dim], "index out of range"
    picked = np.take_along_axis(src, idx, axis=dim).astype(np.float64)
    np.testing.assert_array_equal(picked, values.astype(np.float64))


def assert_sort_indices(actual, source: np.ndarray, marker: SortIndices) -> None:
    """`actual` permutes `source` along the dim into sorted order (NaN largest)."""
    assert isinstance(actual, ferrograd.Tensor) and name_of(actual.dtype) == "int64"
    assert tuple(actual.shape) == source.shape
    src = source.reshape(1) if source.ndim == 0 else source
    idx, dim = to_numpy(actual).reshape(src.shape), marker.dim % src.ndim
    if idx.size == 0:
        return
    positions = np.arange(src.shape[dim]).reshape([-1 if d == dim else 1 for d in range(src.ndim)])
    assert (np.sort(idx, axis=dim) == positions).all(), "not a permutation along the dim"
    _, ranks = np.unique(src, return_inverse=True, equal_nan=True)
    ordered = np.take_along_axis(ranks.reshape(src.shape), idx, axis=dim)
    steps = np.diff(ordered, axis=dim)
    assert (steps <= 0).all() if marker.descending else (steps >= 0).all(), "not sorted"


def assert_named_tuple(actual, spec) -> None:
    """A tuple result of an op with `fields` is ferrograd.return_types.<op> (linalg ops:
    linalg_<op>), its fields naming its items."""
    assert isinstance(actual, tuple), f"expected a tuple, got {type(actual)}"
    if spec.fields and type(actual) is not tuple:
        assert type(actual).__name__ == spec.name.replace(".", "_")
        assert type(actual).__module__.rsplit(".", 1)[-1] == "return_types"
        for i, name in enumerate(spec.fields):
            assert getattr(actual, name) is actual[i]


def assert_result(actual, expected, dtypes, spec, source=None) -> None:
    """Compare a result (tensor, Python bool, or tuple possibly holding `Indices`)."""
    if isinstance(expected, SortIndices):
        assert_sort_indices(actual, source, expected)
        return
    if isinstance(expected, Check):
        assert_named_tuple(actual, spec)
        expected.fn(actual, per_output(dtypes, len(actual)), spec.tolerance(first_of(dtypes)))
        return
    if isinstance(expected, bool):
        assert actual is expected, f"{actual!r} is not {expected!r}"
        return
    if isinstance(expected, tuple):
        assert_named_tuple(actual, spec)
        assert len(actual) == len(expected)
        for i, (a, e, d) in enumerate(zip(actual, expected, per_output(dtypes, len(expected)))):
            if isinstance(e, SortIndices):
                assert_sort_indices(a, source, e)
            elif isinstance(e, Indices):
                assert_indices(a, expected[i - 1], source, e)
            else:
                assert_result(a, e, d, spec, source)
        return
    dtype = first_of(dtypes)
    if isinstance(expected, Unspecified):
        assert name_of(actual.dtype) == dtype and tuple(actual.shape) == expected.shape
        return
    assert_close(actual, expected, dtype, spec.tolerance(dtype))


# ---------------------------------------------------------------- calling


def resolve(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def call_forms(spec, has_kwargs: bool, first_is_tensor: bool = True):
    """(label, call(*operands, **kwargs)) for every spelling of the op."""
    forms = []
    for name in (spec.name, *spec.aliases):
        if spec.function:
            fn = resolve(ferrograd, name)
            forms.append((f"ferrograd.{name}", fn))
        if spec.method and first_is_tensor:
            attr = name.rsplit(".", 1)[-1]
            forms.append((f"Tensor.{attr}", _method(attr)))
    if spec.operator and not has_kwargs:
        forms.append((f"operator.{spec.operator}", getattr(operator, spec.operator)))
    return forms


def _method(attr: str):
    return lambda x, *rest, **kw: getattr(x, attr)(*rest, **kw)


def inplace_forms(spec, has_kwargs: bool):
    forms = [(f"Tensor.{a}_", _method(a + "_")) for a in (spec.attr, *spec.aliases)]
    name = "i" + (spec.operator or "").rstrip("_")
    if spec.operator and not has_kwargs and hasattr(operator, name):
        forms.append((f"operator.{name}", getattr(operator, name)))
    return forms


def pass_dtype(kwargs: dict) -> dict:
    """Variants name dtypes as strings; ferrograd wants dtype objects."""
    if "dtype" in kwargs and isinstance(kwargs["dtype"], str):
        return {**kwargs, "dtype": dtype_of(kwargs["dtype"])}
    return kwargs


def expect_refusal(refused: Refused, call) -> None:
    with pytest.raises(refused.types):
        call()


def result_rules(spec, variant: V):
    return variant.result or spec.result


def rule_dtypes(rules, common: str, first: str, kwargs: dict):
    if "dtype" in kwargs and kwargs["dtype"] is not None:
        forced = kwargs["dtype"]
        return forced if not isinstance(rules, tuple) else (forced, *rules[1:])
    if isinstance(rules, tuple):
        return tuple(r(common, first) for r in rules)
    return rules(common, first)


def reference(spec, variant: V, values: list, kw_values: dict, args: tuple, kwargs: dict):
    """(expected outputs, their dtypes, the compute-dtype first operand) for ferrograd inputs
    `values` (positional operands), `kw_values` (keyword operands) and plain arguments.
    Raises Refused when PyTorch refuses the inputs."""
    masks = [d.dtype is not None for d in spec.domain] + [False] * len(values)
    value_ops = [v for v, m in zip(values, masks) if not m] + list(kw_values.values())
    value_ops = [t for v in value_ops for t in (v if isinstance(v, list) else [v])]
    tensors = [v for v in values if not isinstance(v, str)]
    head = tensors[0][0] if isinstance(tensors[0], list) and tensors[0] else tensors[0]
    first = name_of(head.dtype) if isinstance(head, ferrograd.Tensor) else None
    common = kwargs.get("dtype") or promote(value_ops)
    dtypes = rule_dtypes(result_rules(spec, variant), common, first or common, kwargs)
    compute = compute_dtype(dtypes, common)

    def prepare(v, is_mask):
        if isinstance(v, str):
            return v
        if isinstance(v, list):
            return [prepare(t, is_mask) for t in v]
        return compute_array(v, "bool" if is_mask else compute)

    np_values = [prepare(v, m) for v, m in zip(values, masks)]
    np_kw = {k: (None if v is None else prepare(v, False)) for k, v in kw_values.items()}
    plain = {k: numpy_arg(v) for k, v in kwargs.items() if k != "dtype"}
    args = tuple(numpy_arg(a) for a in args)
    if spec.ref_dtype:
        plain["dtype_name"] = dtypes if not isinstance(dtypes, tuple) else dtypes[0]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy on empty slices, ddof >= n
        out = spec.ref(*np_values, *args, **np_kw, **plain)
    if isinstance(out, list):
        out = tuple(out)
    if isinstance(out, Typed):
        out, dtypes = out.value, out.dtype
    source = next((v for v in np_values if not isinstance(v, str)), None)
    return finish(out, dtypes), dtypes, source, common


def numpy_arg(value):
    """A plain argument for the reference: tensors (repeat_interleave's repeats) as numpy."""
    return to_numpy(value) if isinstance(value, ferrograd.Tensor) else value


def op_id(spec) -> str:
    return spec.name


def tensors_in(values) -> list[Any]:
    return [v for v in values if isinstance(v, ferrograd.Tensor)]
