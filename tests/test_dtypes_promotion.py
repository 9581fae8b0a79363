"""dtype objects, the default dtype, finfo/iinfo and PyTorch's type-promotion rules.

Every expected value below was recorded from real PyTorch.
"""

from __future__ import annotations

import copy
import pickle

import ferrograd
import pytest
from strategies import DTYPE_NAMES

# Short names keep the 10x10 tables readable.
SHORT = {
    "b": "bool",
    "u8": "uint8",
    "i8": "int8",
    "i16": "int16",
    "i32": "int32",
    "i64": "int64",
    "f16": "float16",
    "bf16": "bfloat16",
    "f32": "float32",
    "f64": "float64",
}
ORDER = list(SHORT)  # columns of the tables, in the same order as the rows

# promote_types(row, column). Notes: uint8 with int8 needs int16 (neither holds the other);
# float16 with bfloat16 needs float32 (neither holds the other); any float beats any integer.
PROMOTE_TYPES = {
    "b":    "b    u8   i8   i16  i32  i64  f16  bf16 f32  f64",
    "u8":   "u8   u8   i16  i16  i32  i64  f16  bf16 f32  f64",
    "i8":   "i8   i16  i8   i16  i32  i64  f16  bf16 f32  f64",
    "i16":  "i16  i16  i16  i16  i32  i64  f16  bf16 f32  f64",
    "i32":  "i32  i32  i32  i32  i32  i64  f16  bf16 f32  f64",
    "i64":  "i64  i64  i64  i64  i64  i64  f16  bf16 f32  f64",
    "f16":  "f16  f16  f16  f16  f16  f16  f16  f32  f32  f64",
    "bf16": "bf16 bf16 bf16 bf16 bf16 bf16 f32  bf16 f32  f64",
    "f32":  "f32  f32  f32  f32  f32  f32  f32  f32  f32  f64",
    "f64":  "f64  f64  f64  f64  f64  f64  f64  f64  f64  f64",
}  # fmt: skip

# result_type(dimensioned tensor of dtype row, 0-dim tensor of dtype column).
# A 0-dim tensor only counts when it is in a higher category (bool < integer < float):
# then its own dtype wins, e.g. int32 tensor with a 0-dim float64 tensor gives float64.
DIM_WITH_ZERO_DIM = {
    "b":    "b    u8   i8   i16  i32  i64  f16  bf16 f32  f64",
    "u8":   "u8   u8   u8   u8   u8   u8   f16  bf16 f32  f64",
    "i8":   "i8   i8   i8   i8   i8   i8   f16  bf16 f32  f64",
    "i16":  "i16  i16  i16  i16  i16  i16  f16  bf16 f32  f64",
    "i32":  "i32  i32  i32  i32  i32  i32  f16  bf16 f32  f64",
    "i64":  "i64  i64  i64  i64  i64  i64  f16  bf16 f32  f64",
    "f16":  "f16  f16  f16  f16  f16  f16  f16  f16  f16  f16",
    "bf16": "bf16 bf16 bf16 bf16 bf16 bf16 bf16 bf16 bf16 bf16",
    "f32":  "f32  f32  f32  f32  f32  f32  f32  f32  f32  f32",
    "f64":  "f64  f64  f64  f64  f64  f64  f64  f64  f64  f64",
}  # fmt: skip

# result_type(tensor of dtype row, Python scalar True / 7 / 2.5): a Python scalar only
# counts when it is in a higher category, and then it brings int64 or the default float.
# The same holds for a 0-dim tensor of that dtype, and for the scalar on the left.
WITH_PYTHON_SCALAR = {
    "b":    "b    i64  f32",
    "u8":   "u8   u8   f32",
    "i8":   "i8   i8   f32",
    "i16":  "i16  i16  f32",
    "i32":  "i32  i32  f32",
    "i64":  "i64  i64  f32",
    "f16":  "f16  f16  f16",
    "bf16": "bf16 bf16 bf16",
    "f32":  "f32  f32  f32",
    "f64":  "f64  f64  f64",
}  # fmt: skip


def dt(short: str):
    return getattr(ferrograd, SHORT[short])


def table_cases(table):
    return [
        (row, col, want) for row, line in table.items() for col, want in zip(ORDER, line.split())
    ]


# ---------------------------------------------------------------- dtype objects

# name: (is_floating_point, is_signed, itemsize)
DTYPE_FACTS = {
    "bool": (False, False, 1),
    "uint8": (False, False, 1),
    "int8": (False, True, 1),
    "int16": (False, True, 2),
    "int32": (False, True, 4),
    "int64": (False, True, 8),
    "float16": (True, True, 2),
    "bfloat16": (True, True, 2),
    "float32": (True, True, 4),
    "float64": (True, True, 8),
}


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_properties(name):
    d = getattr(ferrograd, name)
    assert (d.is_floating_point, d.is_signed, d.itemsize) == DTYPE_FACTS[name]
    assert ferrograd.zeros(2, dtype=d).dtype == d
    assert ferrograd.zeros(2, dtype=d).element_size() == d.itemsize


@pytest.mark.parametrize(
    ("alias", "name"),
    [("float", "float32"), ("double", "float64"), ("half", "float16")]
    + [("long", "int64"), ("int", "int32"), ("short", "int16")],
)
def test_dtype_aliases_are_the_same_object(alias, name):
    assert getattr(ferrograd, alias) is getattr(ferrograd, name)


def test_dtypes_are_hashable_singletons_that_survive_pickle_and_copy():
    assert len({ferrograd.float32, ferrograd.float, ferrograd.int64}) == 2
    assert ferrograd.float32 != ferrograd.float64
    assert ferrograd.float32 != "float32"
    assert pickle.loads(pickle.dumps(ferrograd.float16)) is ferrograd.float16
    assert copy.deepcopy(ferrograd.bfloat16) is ferrograd.bfloat16


def test_dtype_repr_spelling():
    assert repr(ferrograd.float32) == "ferrograd.float32"
    assert str(ferrograd.int64) == "ferrograd.int64"
    assert repr(ferrograd.double) == "ferrograd.float64"  # aliases print their canonical name
    assert type(ferrograd.float32).__name__ == "dtype"


# ---------------------------------------------------------------- default dtype


@pytest.fixture
def restore_default_dtype():
    saved = ferrograd.get_default_dtype()
    yield
    ferrograd.set_default_dtype(saved)


def test_default_dtype_is_float32():
    assert ferrograd.get_default_dtype() == ferrograd.float32


@pytest.mark.usefixtures("restore_default_dtype")
def test_set_default_dtype_changes_float_creation_but_not_int_creation():
    ferrograd.set_default_dtype(ferrograd.float64)
    assert ferrograd.get_default_dtype() == ferrograd.float64
    assert ferrograd.tensor([1.5]).dtype == ferrograd.float64
    assert ferrograd.zeros(1).dtype == ferrograd.float64
    assert ferrograd.arange(3.0).dtype == ferrograd.float64
    assert ferrograd.tensor([1, 2]).dtype == ferrograd.int64
    assert ferrograd.result_type(ferrograd.tensor([1]), 2.5) == ferrograd.float64


@pytest.mark.usefixtures("restore_default_dtype")
@pytest.mark.parametrize("name", ["int64", "int32", "bool", "uint8"])
def test_set_default_dtype_rejects_non_float_types(name):
    msg = "only floating-point types are supported as the default type"
    with pytest.raises(TypeError, match=msg):
        ferrograd.set_default_dtype(getattr(ferrograd, name))
    assert ferrograd.get_default_dtype() == ferrograd.float32


def test_is_floating_point():
    assert ferrograd.is_floating_point(ferrograd.zeros(1))
    assert ferrograd.zeros(1, dtype=ferrograd.bfloat16).is_floating_point()
    assert not ferrograd.is_floating_point(ferrograd.zeros(1, dtype=ferrograd.int32))
    assert not ferrograd.tensor([True]).is_floating_point()


# ---------------------------------------------------------------- finfo / iinfo

# name: (bits, eps, max, tiny)
FINFO = {
    "float16": (16, 0.0009765625, 65504.0, 6.103515625e-05),
    "bfloat16": (16, 0.0078125, 3.3895313892515355e38, 1.1754943508222875e-38),
    "float32": (32, 1.1920928955078125e-07, 3.4028234663852886e38, 1.1754943508222875e-38),
    "float64": (64, 2.220446049250313e-16, 1.7976931348623157e308, 2.2250738585072014e-308),
}
# name: (bits, min, max)
IINFO = {
    "uint8": (8, 0, 255),
    "int8": (8, -128, 127),
    "int16": (16, -32768, 32767),
    "int32": (32, -(2**31), 2**31 - 1),
    "int64": (64, -(2**63), 2**63 - 1),
}


@pytest.mark.parametrize("name", list(FINFO))
def test_finfo(name):
    f = ferrograd.finfo(getattr(ferrograd, name))
    assert (f.bits, f.eps, f.max, f.tiny) == FINFO[name]
    assert f.min == -f.max and f.smallest_normal == f.tiny


@pytest.mark.parametrize("name", list(IINFO))
def test_iinfo(name):
    i = ferrograd.iinfo(getattr(ferrograd, name))
    assert (i.bits, i.min, i.max) == IINFO[name]


def test_finfo_without_argument_describes_the_default_dtype():
    assert ferrograd.finfo().eps == 1.1920928955078125e-07


def test_finfo_and_iinfo_reject_the_other_kind():
    with pytest.raises(TypeError):
        ferrograd.finfo(ferrograd.int32)
    with pytest.raises(TypeError):
        ferrograd.iinfo(ferrograd.float32)
    with pytest.raises(TypeError):
        ferrograd.iinfo(ferrograd.bool)


def test_finfo_iinfo_error_spelling():
    with pytest.raises(TypeError, match="ferrograd.bool is not supported by ferrograd.iinfo"):
        ferrograd.iinfo(ferrograd.bool)


# ---------------------------------------------------------------- promotion


@pytest.mark.parametrize(("a", "b", "want"), table_cases(PROMOTE_TYPES))
def test_promote_types(a, b, want):
    assert ferrograd.promote_types(dt(a), dt(b)) == dt(want)


@pytest.mark.parametrize(("a", "b", "want"), table_cases(PROMOTE_TYPES))
def test_result_type_of_two_tensors_of_equal_rank_is_promote_types(a, b, want):
    # Same priority (both dimensioned, or both 0-dim): plain promote_types.
    x, y = ferrograd.zeros(2, dtype=dt(a)), ferrograd.zeros(3, dtype=dt(b))
    assert ferrograd.result_type(x, y) == dt(want)
    x, y = ferrograd.zeros((), dtype=dt(a)), ferrograd.zeros((), dtype=dt(b))
    assert ferrograd.result_type(x, y) == dt(want)


@pytest.mark.parametrize(("a", "b", "want"), table_cases(DIM_WITH_ZERO_DIM))
def test_result_type_dimensioned_tensor_with_zero_dim_tensor(a, b, want):
    x, y = ferrograd.zeros(2, dtype=dt(a)), ferrograd.zeros((), dtype=dt(b))
    assert ferrograd.result_type(x, y) == dt(want)
    assert ferrograd.result_type(y, x) == dt(want)  # the order does not matter


@pytest.mark.parametrize("a", ORDER)
@pytest.mark.parametrize(("column", "scalar"), list(enumerate([True, 7, 2.5])))
def test_result_type_tensor_with_python_scalar(a, column, scalar):
    want = dt(WITH_PYTHON_SCALAR[a].split()[column])
    for x in (ferrograd.zeros(2, dtype=dt(a)), ferrograd.zeros((), dtype=dt(a))):
        assert ferrograd.result_type(x, scalar) == want
        assert ferrograd.result_type(scalar, x) == want


def test_result_type_ignores_the_value_of_python_scalars():
    # No value-based promotion: 300 does not fit uint8 but the result stays uint8.
    u8 = ferrograd.zeros(2, dtype=ferrograd.uint8)
    assert ferrograd.result_type(u8, 300) == ferrograd.uint8
    assert ferrograd.result_type(u8, -1) == ferrograd.uint8


def test_result_type_of_two_python_scalars():
    assert ferrograd.result_type(1, 2) == ferrograd.int64
    assert ferrograd.result_type(1, 2.0) == ferrograd.float32
    assert ferrograd.result_type(True, 1) == ferrograd.int64
    assert ferrograd.result_type(True, False) == ferrograd.bool
    assert ferrograd.result_type(1.0, True) == ferrograd.float32


def test_promote_types_rejects_non_dtypes():
    with pytest.raises(TypeError):
        ferrograd.promote_types(ferrograd.float32, "float64")
