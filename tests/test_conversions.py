"""Conversions between dtypes and to Python values, the Python protocols, pickling and Size."""

from __future__ import annotations

import copy
import pickle

import ferrograd
import pytest
from strategies import DTYPE_NAMES, dtype

# ---------------------------------------------------------------- item / tolist


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        (1, "int8", 1),
        (200, "uint8", 200),
        (2**62 + 1, "int64", 2**62 + 1),
        (True, "bool", True),
        (0.1, "float32", 0.10000000149011612),  # the float32 value, widened exactly
        (1 / 3, "float16", 0.333251953125),
        (1 / 3, "bfloat16", 0.333984375),
        (1, "float64", 1.0),
    ],
)
def test_item_returns_the_matching_python_type(value, name, expected):
    item = ferrograd.tensor(value, dtype=dtype(name)).item()
    assert item == expected and type(item) is type(expected)


def test_item_works_for_any_single_element_tensor():
    assert ferrograd.tensor([[2.5]]).item() == 2.5


def test_tolist():
    assert ferrograd.tensor(3).tolist() == 3  # 0-d gives a bare number
    assert ferrograd.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert ferrograd.zeros(2, 0, 3).tolist() == [[], []]
    assert ferrograd.tensor([True]).tolist() == [True]
    assert type(ferrograd.tensor([1], dtype=ferrograd.int8).tolist()[0]) is int
    assert ferrograd.arange(6).reshape(2, 3).t().tolist() == [[0, 3], [1, 4], [2, 5]]


# ---------------------------------------------------------------- dtype conversions

SOURCE = [-2.7, -0.5, 0.0, 0.5, 1.5, 2.7, 300.0, -300.0]
CONVERTED = {
    "float": ("float32", [-2.700000047683716, -0.5, 0.0, 0.5, 1.5, 2.700000047683716, 300, -300]),
    "double": ("float64", [-2.700000047683716, -0.5, 0.0, 0.5, 1.5, 2.700000047683716, 300, -300]),
    "half": ("float16", [-2.69921875, -0.5, 0.0, 0.5, 1.5, 2.69921875, 300.0, -300.0]),
    "bfloat16": ("bfloat16", [-2.703125, -0.5, 0.0, 0.5, 1.5, 2.703125, 300.0, -300.0]),
    # float -> integer truncates toward zero ...
    "long": ("int64", [-2, 0, 0, 0, 1, 2, 300, -300]),
    "int": ("int32", [-2, 0, 0, 0, 1, 2, 300, -300]),
    "short": ("int16", [-2, 0, 0, 0, 1, 2, 300, -300]),
    # ... then wraps modulo 2**8 (x86 behaviour): 300 -> 44, -300 -> -44, -2 -> 254 as uint8
    "char": ("int8", [-2, 0, 0, 0, 1, 2, 44, -44]),
    "byte": ("uint8", [254, 0, 0, 0, 1, 2, 44, 212]),
    "bool": ("bool", [True, True, False, True, True, True, True, True]),  # nonzero is True
}


@pytest.mark.parametrize("method", list(CONVERTED))
def test_dtype_conversion_methods(method):
    name, values = CONVERTED[method]
    t = getattr(ferrograd.tensor(SOURCE), method)()
    assert t.dtype == dtype(name) and t.tolist() == values


@pytest.mark.parametrize(
    ("values", "source", "target", "expected"),
    [
        ([-1.0, -2.5, -200.0, 256.0, 257.7], "float32", "uint8", [255, 254, 56, 0, 1]),
        ([-2.7] * 3, "float64", "uint8", [254] * 3),
        ([-129.0, 128.0, 200.0], "float32", "int8", [127, -128, -56]),
        ([200, -129, 256, 1000], "int64", "int8", [-56, 127, 0, -24]),  # keep the low byte
        ([-1, 256, 300], "int64", "uint8", [255, 0, 44]),
        ([200], "uint8", "int8", [-56]),
        ([0.0, -0.0, 0.1, float("nan")], "float32", "bool", [False, False, True, True]),
        ([float("nan"), float("inf")], "float32", "int64", [-(2**63), -(2**63)]),  # x86
        ([float("nan")], "float32", "int32", [-(2**31)]),
        ([70000.0], "float32", "float16", [float("inf")]),  # past float16's max
        ([2049.0, 2051.0], "float32", "float16", [2048.0, 2052.0]),  # round half to even
        ([257.0, 1e10], "float32", "bfloat16", [256.0, 9999220736.0]),
        # Above the tie only in the float's last mantissa bits: rounds up, as in PyTorch.
        ([-28.312506], "float32", "bfloat16", [-28.375]),
        # Integers round once into float32 (through float64 this would round down).
        ([2**53 + 2**29 + 1], "int64", "float32", [9007200328482816.0]),
        ([True, False], "bool", "float32", [1.0, 0.0]),
        ([0, -3, 256], "int64", "bool", [False, True, True]),
    ],
)
def test_casting_semantics(values, source, target, expected):
    t = ferrograd.tensor(values, dtype=dtype(source)).to(dtype(target))
    assert t.tolist() == expected


def test_to_returns_self_when_nothing_changes():
    x = ferrograd.zeros(2)
    assert x.to(ferrograd.float32) is x
    assert x.float() is x
    assert x.to(ferrograd.zeros(1)) is x
    assert x.to("cpu") is x
    assert x.to(ferrograd.float32, copy=True) is not x


def test_to_other_forms():
    x = ferrograd.zeros(2, 3)
    assert x.to(ferrograd.zeros(5, dtype=ferrograd.int8)).dtype == ferrograd.int8
    assert x.to(ferrograd.zeros(5, dtype=ferrograd.int8)).shape == (2, 3)  # only the dtype
    assert x.to(dtype=ferrograd.float64).dtype == ferrograd.float64
    assert x.to("cpu", ferrograd.float64).dtype == ferrograd.float64
    assert x.to(ferrograd.float64, non_blocking=True).dtype == ferrograd.float64
    assert x.t().to(ferrograd.float64).stride() == (1, 3)  # a dense layout is preserved
    assert x.t().long().stride() == (1, 3)


def test_to_keeps_requires_grad_only_for_float_results():
    x = ferrograd.zeros(2, requires_grad=True)
    assert x.to(ferrograd.float64).requires_grad
    assert not x.to(ferrograd.int64).requires_grad


def test_type_with_an_argument_converts():
    x = ferrograd.zeros(2)
    assert x.type(ferrograd.float64).dtype == ferrograd.float64
    assert x.type(ferrograd.float32) is x
    assert x.type(ferrograd.LongTensor).dtype == ferrograd.int64
    assert x.type_as(ferrograd.zeros(1, dtype=ferrograd.int16)).dtype == ferrograd.int16
    assert x.type_as(ferrograd.zeros(1)) is x


TYPE_STRINGS = {
    "bool": "BoolTensor",
    "uint8": "ByteTensor",
    "int8": "CharTensor",
    "int16": "ShortTensor",
    "int32": "IntTensor",
    "int64": "LongTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
}


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_type_string_spelling(name):
    assert ferrograd.zeros(1, dtype=dtype(name)).type() == "ferrograd." + TYPE_STRINGS[name]


def test_type_from_string_spelling():
    x = ferrograd.zeros(2)
    assert x.type("ferrograd.DoubleTensor").dtype == ferrograd.float64
    assert x.type("ferrograd.FloatTensor") is x


def test_type_rejects_unknown_strings():
    with pytest.raises(ValueError, match="invalid type: 'ferrograd.FooTensor'"):
        ferrograd.zeros(2).type("ferrograd.FooTensor")


def test_legacy_types_work_with_isinstance():
    assert isinstance(ferrograd.zeros(2), ferrograd.FloatTensor)
    assert not isinstance(ferrograd.zeros(2), ferrograd.DoubleTensor)
    assert isinstance(ferrograd.zeros(2, dtype=ferrograd.int64), ferrograd.LongTensor)
    assert isinstance(ferrograd.zeros(2, dtype=ferrograd.int64), ferrograd.Tensor)
    assert ferrograd.LongTensor([1.7, 2]).tolist() == [1, 2]
    assert ferrograd.ByteTensor([1, 255]).tolist() == [1, 255]


# ---------------------------------------------------------------- copy_


def test_copy_broadcasts_casts_and_returns_self():
    t = ferrograd.zeros(2, 3)
    assert t.copy_(ferrograd.tensor([1, 2, 3])) is t
    assert t.tolist() == [[1.0, 2.0, 3.0]] * 2
    assert t.copy_(ferrograd.tensor(4.0)).tolist() == [[4.0] * 3] * 2
    i = ferrograd.zeros(3, dtype=ferrograd.int32).copy_(ferrograd.tensor([1.9, -1.9, 2.5]))
    assert i.tolist() == [1, -1, 2]
    b = ferrograd.zeros(3).copy_(ferrograd.tensor([True, False, True]))
    assert b.tolist() == [1.0, 0.0, 1.0]


def test_copy_between_non_contiguous_layouts():
    dst = ferrograd.zeros(2, 3)
    dst.t().copy_(ferrograd.arange(6.0).reshape(3, 2))
    assert dst.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    out = ferrograd.zeros(3, 2).copy_(ferrograd.arange(6.0).reshape(2, 3).t())
    assert out.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


# ---------------------------------------------------------------- Python protocols


def test_int_and_float_of_one_element_tensors():
    assert int(ferrograd.tensor([-2.7])) == -2
    assert int(ferrograd.tensor(3.9)) == 3 and int(ferrograd.tensor(True)) == 1
    assert float(ferrograd.tensor([[3]])) == 3.0


def test_bool_of_one_element_tensors():
    assert not bool(ferrograd.tensor([0.0]))
    assert not bool(ferrograd.tensor(-0.0))
    assert bool(ferrograd.tensor([[7]]))
    assert bool(ferrograd.tensor(float("nan")))


def test_index_lets_integer_tensors_act_as_python_ints():
    assert [10, 20, 30][ferrograd.tensor(2)] == 30
    assert [10, 20, 30][ferrograd.tensor(2, dtype=ferrograd.uint8)] == 30
    assert list(range(ferrograd.tensor(3))) == [0, 1, 2]
    assert hex(ferrograd.tensor(255)) == "0xff"
    assert ferrograd.tensor([3]).__index__() == 3


def test_len_and_iter_walk_the_first_dim():
    x = ferrograd.zeros(3, 2)
    assert len(x) == 3 and len(ferrograd.zeros(0, 2)) == 0
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (2,) for r in rows)
    rows[0].fill_(5.0)  # iteration yields views
    assert x[0].tolist() == [5.0, 5.0]
    assert [t.tolist() for t in ferrograd.tensor([1, 2])] == [1, 2]


def test_format():
    assert f"{ferrograd.tensor(3.14159):.2f}" == "3.14"
    assert f"{ferrograd.tensor(42):5d}" == "   42"
    assert f"{ferrograd.tensor(2.5)}" == "2.5"  # 0-d formats its item
    assert f"{ferrograd.tensor(True)}" == "True"
    x = ferrograd.tensor([1.5, 2.0])
    assert f"{x}" == str(x)  # more than 0 dims, no spec: same as str()
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        format(x, ".2f")


def test_contains_compares_elementwise():
    x = ferrograd.tensor([[1, 2], [3, 4]])
    assert 2 in x and 5 not in x and 2.0 in x
    assert ferrograd.tensor(4) in x
    assert ferrograd.tensor([1, 2]) in x  # (element == x).any()
    assert ferrograd.tensor([1, 5]) in ferrograd.tensor([1, 2])


def test_hash_is_identity():
    a, b = ferrograd.zeros(1), ferrograd.zeros(1)
    assert hash(a) == id(a) and len({a, b}) == 2
    assert {a: "a"}[a] == "a"


# ---------------------------------------------------------------- pickle and copy


@pytest.mark.parametrize(
    "make",
    [
        lambda: ferrograd.arange(6.0).reshape(2, 3).t().requires_grad_(),
        lambda: ferrograd.tensor([1, 2], dtype=ferrograd.int8),
        lambda: ferrograd.tensor(3.5, dtype=ferrograd.bfloat16),
        lambda: ferrograd.zeros(0, 2),
        lambda: ferrograd.arange(10)[2:8:2],
        lambda: ferrograd.tensor([True, False]),
    ],
)
def test_pickle_round_trip(make):
    t = make()
    r = pickle.loads(pickle.dumps(t))
    assert r.dtype == t.dtype and r.shape == t.shape and r.requires_grad == t.requires_grad
    assert r.tolist() == t.tolist()
    assert t.numel() == 0 or r.data_ptr() != t.data_ptr()  # empty tensors may report 0


def test_deepcopy_copies_data_and_keeps_views_together():
    t = ferrograd.arange(6.0).reshape(2, 3).t().requires_grad_()
    d = copy.deepcopy(t)
    assert d.requires_grad and d.tolist() == t.tolist() and d.data_ptr() != t.data_ptr()
    base = ferrograd.zeros(4)
    a, b = copy.deepcopy([base[:2], base[1:]])  # one deepcopy: the storage is copied once
    a[1] = 7.0
    assert b.tolist() == [7.0, 0.0, 0.0] and base.tolist() == [0.0] * 4
    c = copy.copy(t)
    assert c is not t and c.data_ptr() == t.data_ptr()


# ---------------------------------------------------------------- Size and metadata


def test_size_is_a_tuple_subclass():
    s = ferrograd.zeros(2, 3).shape
    assert isinstance(s, tuple) and isinstance(s, ferrograd.Size)
    assert s == (2, 3) and s != [2, 3] and hash(s) == hash((2, 3))
    assert type(ferrograd.zeros(2).size()) is ferrograd.Size
    assert ferrograd.zeros(2, 3).size(-1) == 3 and type(ferrograd.zeros(2, 3).size(1)) is int
    assert type(s[0]) is int and s.count(2) == 1 and s.index(3) == 1


def test_size_slicing_and_concatenation_give_a_size():
    s = ferrograd.Size([2, 3])
    for r in (s[0:1], s[::-1], s + (4,), (1,) + s, s * 2):
        assert type(r) is ferrograd.Size
    assert s + (4,) == (2, 3, 4) and (1,) + s == (1, 2, 3)


def test_size_numel_and_construction():
    assert ferrograd.Size([2, 3]).numel() == 6
    assert ferrograd.Size([]).numel() == 1 and ferrograd.Size().numel() == 1
    assert ferrograd.Size([0, 3]).numel() == 0
    assert ferrograd.Size([ferrograd.tensor(3)]) == (3,)
    assert pickle.loads(pickle.dumps(ferrograd.Size([2, 3]))) == (2, 3)
    with pytest.raises(TypeError):
        ferrograd.Size([1.5])


def test_size_repr_spelling():
    assert repr(ferrograd.Size([2, 3])) == "ferrograd.Size([2, 3])"
    assert str(ferrograd.zeros(5).shape) == "ferrograd.Size([5])"
    assert repr(ferrograd.Size([])) == "ferrograd.Size([])"
    with pytest.raises(TypeError, match=r"ferrograd.Size\(\) takes an iterable of 'int'"):
        ferrograd.Size(["a"])


def test_numel_dim_element_size_nbytes():
    x = ferrograd.zeros(2, 3)
    assert x.numel() == 6 and x.nelement() == 6 and ferrograd.tensor(1).numel() == 1
    assert x.dim() == 2 and x.ndim == 2 and x.ndimension() == 2 and ferrograd.tensor(1).ndim == 0
    assert x.element_size() == 4 and x.itemsize == 4 and x.nbytes == 24
    assert ferrograd.zeros(4)[::2].nbytes == 8  # numel * itemsize, not the storage size
    assert ferrograd.zeros(3).expand(4, 3).nbytes == 48
