"""Creating tensors: from data, filled, ranges, random (bit-exact with PyTorch), legacy types."""

from __future__ import annotations

import subprocess
import sys

import ferrograd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import DTYPE_NAMES, FLOAT_DTYPE_NAMES, INT_DTYPE_NAMES, dtype, shapes

# ---------------------------------------------------------------- tensor(data)


@pytest.mark.parametrize(
    ("data", "dtype_name", "shape"),
    [
        (1, "int64", ()),
        (1.5, "float32", ()),
        (True, "bool", ()),
        ([1, 2], "int64", (2,)),
        ((1, 2), "int64", (2,)),
        ([1.0, 2], "float32", (2,)),  # any float makes the list float
        ([True, 1], "int64", (2,)),  # bool < int < float
        ([True, 1.5], "float32", (2,)),
        ([[1], [2.5]], "float32", (2, 1)),
        ([(1, 2), [3, 4]], "int64", (2, 2)),
        ([], "float32", (0,)),  # empty: the default float dtype
        ([[], []], "float32", (2, 0)),
        (range(3), "int64", (3,)),
        (np.float32(2), "float32", ()),  # numpy scalars keep their dtype
        (np.int16(3), "int16", ()),
        ([np.float64(1.0)], "float64", (1,)),
        ([1, np.float64(2.0)], "float64", (2,)),  # int64 with float64
        ([np.int32(1), np.int8(2)], "int32", (2,)),
        ([True, np.int8(2)], "int8", (2,)),
        ([1.5, np.int8(2)], "float32", (2,)),
        ([ferrograd.tensor(1), 2], "int64", (2,)),  # one-element tensors act as scalars
        ([ferrograd.tensor([1.0]), ferrograd.tensor([2.0])], "float32", (2,)),
        ([ferrograd.tensor(1.5, dtype=ferrograd.float64), 2], "float64", (2,)),
        (np.array(3), "int64", ()),
        (np.array([1, 2], dtype=np.int32), "int32", (2,)),
        (np.array([True]), "bool", (1,)),
    ],
    ids=repr,
)
def test_tensor_infers_dtype_and_shape_like_pytorch(data, dtype_name, shape):
    t = ferrograd.tensor(data)
    assert t.dtype == dtype(dtype_name)
    assert t.shape == shape


@pytest.mark.parametrize(
    ("data", "dtype_name", "values"),
    [
        ([1.7, -1.7], "int64", [1, -1]),  # float -> int truncates toward zero
        ([0.0, 2.5], "bool", [False, True]),
        ([-1], "uint8", [255]),  # Python ints wrap modulo 256
        ([1, 2], "float16", [1.0, 2.0]),
        ([1 / 3], "bfloat16", [0.333984375]),  # rounded to 8 significant bits
    ],
)
def test_tensor_with_dtype_converts_the_data(data, dtype_name, values):
    t = ferrograd.tensor(data, dtype=dtype(dtype_name))
    assert t.dtype == dtype(dtype_name) and t.tolist() == values


def test_tensor_copies_its_input_and_takes_requires_grad():
    assert ferrograd.tensor([1.0, 2.0], requires_grad=True).requires_grad
    a = np.zeros(2)
    ferrograd.tensor(a)[0] = 5
    assert a[0] == 0
    src = ferrograd.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="To copy construct from a tensor, it is recommended"):
        t = ferrograd.tensor(src)
    assert t.data_ptr() != src.data_ptr() and not t.requires_grad


# tolist() of a (0, n) array is [], which reads back as shape (0,): keep zeros last.
@given(
    array=hnp.arrays(
        st.sampled_from([bool, np.int64, np.float64]),
        shapes(max_side=3).filter(lambda s: 0 not in s[:-1]),
    )
)
def test_tensor_of_nested_lists_matches_numpy(array):
    t = ferrograd.tensor(array.tolist())
    with np.errstate(over="ignore"):  # huge float64 values become inf in float32, as in t
        expected = array.astype(np.float32) if array.dtype == np.float64 else array
    assert t.shape == array.shape
    np.testing.assert_array_equal(t.numpy(), expected)


def test_as_tensor_avoids_copies_when_it_can():
    t = ferrograd.zeros(2)
    assert ferrograd.as_tensor(t) is t
    assert ferrograd.as_tensor(t, dtype=ferrograd.float64) is not t
    a = np.zeros(2)
    ferrograd.as_tensor(a)[0] = 5  # same dtype: shares memory with the array
    assert a[0] == 5
    ferrograd.as_tensor(a, dtype=ferrograd.float32)[1] = 5  # a cast must copy
    assert a[1] == 0
    assert ferrograd.as_tensor([1, 2]).dtype == ferrograd.int64


# ---------------------------------------------------------------- filled tensors


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_zeros_ones_full_empty_take_a_dtype(name):
    d = dtype(name)
    for make, value in ((ferrograd.zeros, 0), (ferrograd.ones, 1)):
        t = make(2, 3, dtype=d)
        assert t.dtype == d and t.shape == (2, 3) and t.tolist() == [[value] * 3] * 2
    assert ferrograd.full((2,), 1, dtype=d).tolist() == [1, 1]
    e = ferrograd.empty(2, 3, dtype=d)
    assert e.dtype == d and e.shape == (2, 3)


@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), (ferrograd.Size([2, 3]),)], ids=str)
def test_size_arguments_as_varargs_tuple_list_or_size(size):
    for make in (ferrograd.zeros, ferrograd.ones, ferrograd.empty, ferrograd.rand, ferrograd.randn):
        assert make(*size).shape == (2, 3)
    assert ferrograd.zeros(()).shape == ()
    assert ferrograd.zeros([]).shape == ()
    assert ferrograd.ones(0).shape == (0,)
    assert ferrograd.ones(2, 0).numel() == 0


def test_full_infers_dtype_from_the_fill_value():
    assert ferrograd.full((2,), 3).dtype == ferrograd.int64
    assert ferrograd.full((2,), True).dtype == ferrograd.bool
    assert ferrograd.full((2,), 3.0).dtype == ferrograd.float32
    assert ferrograd.full((2,), 3.7, dtype=ferrograd.int32).tolist() == [3, 3]
    assert ferrograd.full([2, 1], 3.0).shape == (2, 1)


@given(shape=shapes(), value=st.integers(-5, 5))
def test_filled_tensors_match_numpy(shape, value):
    np.testing.assert_array_equal(ferrograd.zeros(shape).numpy(), np.zeros(shape, np.float32))
    np.testing.assert_array_equal(ferrograd.ones(shape).numpy(), np.ones(shape, np.float32))
    np.testing.assert_array_equal(ferrograd.full(shape, value).numpy(), np.full(shape, value))


def test_like_functions_copy_shape_dtype_and_dense_layout():
    x = ferrograd.zeros(2, 3, dtype=ferrograd.int32).t()  # dense but transposed
    for make in (ferrograd.zeros_like, ferrograd.ones_like, ferrograd.empty_like):
        y = make(x)
        assert y.shape == (3, 2) and y.dtype == ferrograd.int32 and y.stride() == (1, 3)
    assert ferrograd.full_like(x, 2.7).tolist() == [[2, 2]] * 3  # cast to the input's dtype
    assert ferrograd.zeros_like(x, dtype=ferrograd.float64).dtype == ferrograd.float64
    assert ferrograd.ones_like(ferrograd.zeros(3).expand(2, 3)).stride() == (3, 1)
    assert (
        ferrograd.rand_like(ferrograd.zeros(2, dtype=ferrograd.float64)).dtype == ferrograd.float64
    )


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("args", "dtype_name", "values"),
    [
        ((5,), "int64", [0, 1, 2, 3, 4]),
        ((5.0,), "float32", [0.0, 1.0, 2.0, 3.0, 4.0]),  # any float argument: default float
        ((1, 5, 2), "int64", [1, 3]),
        ((10, 0, -3), "int64", [10, 7, 4, 1]),
        ((0, 5, 1.5), "float32", [0.0, 1.5, 3.0, 4.5]),
        ((1, 2.5), "float32", [1.0, 2.0]),
        ((0,), "int64", []),
        ((-1.0, 1.0, 0.5), "float32", [-1.0, -0.5, 0.0, 0.5]),
    ],
)
def test_arange_values_and_dtype(args, dtype_name, values):
    t = ferrograd.arange(*args)
    assert t.dtype == dtype(dtype_name) and t.tolist() == values


@pytest.mark.parametrize(
    ("args", "length"),
    # length = ceil((end - start) / step), computed in double precision:
    # (1.3 - 1) / 0.1 = 3.0000000000000004, so arange(1, 1.3, 0.1) has 4 elements.
    [((0, 1, 0.1), 10), ((0, 0.3, 0.1), 3), ((1, 1.3, 0.1), 4), ((1, 0, -0.1), 10)],
)
def test_arange_length_rule_with_float_steps(args, length):
    t = ferrograd.arange(*args)
    assert len(t) == length == len(np.arange(*args))
    np.testing.assert_allclose(t.numpy(), np.arange(*args, dtype=np.float32), atol=1e-6)


def test_arange_keywords_and_dtype():
    assert ferrograd.arange(end=3).tolist() == [0, 1, 2]
    assert ferrograd.arange(start=1, end=3).tolist() == [1, 2]
    assert ferrograd.arange(0, 3, dtype=ferrograd.float64).dtype == ferrograd.float64
    assert ferrograd.arange(3.0, requires_grad=True).requires_grad


@given(start=st.integers(-20, 20), end=st.integers(-20, 20), step=st.integers(1, 5))
def test_integer_arange_matches_numpy(start, end, step):
    step = step if start <= end else -step
    np.testing.assert_array_equal(
        ferrograd.arange(start, end, step).numpy(), np.arange(start, end, step)
    )


def test_range_is_deprecated_and_includes_the_end():
    with pytest.warns(UserWarning, match="range is deprecated and will be removed"):
        t = ferrograd.range(1, 2, 0.5)
    assert t.tolist() == [1.0, 1.5, 2.0] and t.dtype == ferrograd.float32
    with pytest.warns(UserWarning):
        assert ferrograd.range(0, 3).tolist() == [0.0, 1.0, 2.0, 3.0]  # float even for ints


def test_range_warning_text_spelling():
    # PyTorch's text, with torch -> ferrograd. It warns on every call (not once).
    msg = (
        "ferrograd.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use ferrograd.arange, "
        "which produces values in [start, end)."
    )
    with pytest.warns(UserWarning) as record:
        ferrograd.range(0, 1)
    assert [str(w.message) for w in record] == [msg]


def test_linspace():
    assert ferrograd.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ferrograd.linspace(1, 0, 3).tolist() == [1.0, 0.5, 0.0]
    assert ferrograd.linspace(0, 1, 1).tolist() == [0.0]  # one step: just the start
    assert ferrograd.linspace(0, 1, 0).tolist() == []
    assert ferrograd.linspace(0, 10, 5).dtype == ferrograd.float32  # even for int ends
    assert ferrograd.linspace(0, 10, 4, dtype=ferrograd.int64).tolist() == [0, 3, 6, 10]
    np.testing.assert_allclose(ferrograd.linspace(0, 10, 4).numpy(), np.linspace(0, 10, 4), 1e-6)


def test_logspace():
    assert ferrograd.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert ferrograd.logspace(0, 3, 4, base=2).tolist() == [1.0, 2.0, 4.0, 8.0]
    assert ferrograd.logspace(0, 3, 4, dtype=ferrograd.int64).tolist() == [1, 10, 100, 1000]
    np.testing.assert_allclose(ferrograd.logspace(-1, 1, 3).numpy(), [0.1, 1.0, 10.0], 1e-6)


def test_eye():
    assert ferrograd.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert ferrograd.eye(2, 3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert ferrograd.eye(2, m=3).shape == (2, 3)
    assert ferrograd.eye(3, 0).shape == (3, 0)
    assert ferrograd.eye(2, dtype=ferrograd.bool).tolist() == [[True, False], [False, True]]


# ---------------------------------------------------------------- random: exact values
# ferrograd reproduces PyTorch's CPU generator (mt19937 + PyTorch's transforms) bit for bit.
# Uniform and integer draws are compared exactly; normal draws (which go through log/cos)
# to the 4 decimals that printing shows. randn switches algorithm at 16 elements.


def seeded(make):
    ferrograd.manual_seed(0)
    return make().tolist()


def rounded(values):
    return [round(v, 4) for v in values]


def test_rand_after_manual_seed_is_pytorchs_sequence():
    assert seeded(lambda: ferrograd.rand(5)) == [
        0.49625658988952637, 0.7682217955589294, 0.08847743272781372,
        0.13203048706054688, 0.30742281675338745,
    ]  # fmt: skip
    assert seeded(lambda: ferrograd.rand(2, 3))[1][2] == 0.6340786814689636
    assert seeded(lambda: ferrograd.rand(3, dtype=ferrograd.float64)) == [
        0.9700530018065531, 0.707819864399788, 0.45938294312745087,
    ]  # fmt: skip


def test_randn_after_manual_seed_is_pytorchs_sequence():
    assert rounded(seeded(lambda: ferrograd.randn(5))) == [1.541, -0.2934, -2.1788, 0.5684, -1.0845]
    # From 16 elements on, PyTorch fills in blocks of 16 and redoes the last 16 for a tail,
    # so randn(17) is not randn(16) plus one value.
    assert rounded(seeded(lambda: ferrograd.randn(20))) == [
        -1.1258, -1.1524, -0.2506, -0.4339, 0.5988, -1.5551, -0.3414, 1.853, 0.4681, -0.1577,
        1.4437, 0.266, 1.3894, 1.5863, 0.9463, -0.8437, 0.9318, 1.259, 2.005, 0.0537,
    ]  # fmt: skip
    assert rounded(seeded(lambda: ferrograd.randn(17))) == [
        -1.1258, -1.6959, 0.5667, 0.7935, 0.5988, -1.5551, -0.3414, 1.853, 0.4681, -0.5855,
        -0.1734, 0.1835, 1.3894, 1.5863, 0.9463, -0.8437, 0.9318,
    ]  # fmt: skip


def test_integer_draws_after_manual_seed_are_pytorchs_sequence():
    assert seeded(lambda: ferrograd.randint(0, 10, (6,))) == [4, 9, 3, 0, 3, 9]
    assert seeded(lambda: ferrograd.randint(5, (4,))) == [4, 4, 3, 0]  # high only
    assert seeded(lambda: ferrograd.randint(-5, 5, (2, 3))) == [[-1, 4, -2], [-5, -2, 4]]
    assert seeded(lambda: ferrograd.randperm(8)) == [4, 0, 7, 3, 2, 5, 1, 6]
    assert seeded(lambda: ferrograd.empty(4, dtype=ferrograd.int64).random_(0, 100)) == [
        44, 39, 33, 60,
    ]  # fmt: skip


def test_normal_overloads_after_manual_seed():
    mean, std = ferrograd.tensor([0.0, 10.0, 100.0]), ferrograd.tensor([1.0, 2.0, 3.0])
    assert rounded(seeded(lambda: ferrograd.normal(2.0, 3.0, size=(4,)))) == [
        6.623, 1.1197, -4.5364, 3.7053,
    ]  # fmt: skip
    assert rounded(seeded(lambda: ferrograd.normal(mean, std))) == [1.541, 9.4131, 93.4636]
    assert rounded(seeded(lambda: ferrograd.normal(mean[:2], 2.0))) == [3.082, 9.4131]
    assert rounded(seeded(lambda: ferrograd.normal(1.0, std[:2]))) == [2.541, 0.4131]
    assert seeded(lambda: ferrograd.empty(4).uniform_(-1, 1))[0] == -0.007486820220947266
    assert rounded(seeded(lambda: ferrograd.empty(2).normal_(0, 2))) == [3.082, -0.5869]


def test_generator_object_has_its_own_stream():
    g = ferrograd.Generator()
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    ferrograd.manual_seed(0)
    values = ferrograd.rand(3, generator=g).tolist()
    assert values == [0.004263520240783691, 0.10556936264038086, 0.2858424782752991]
    assert rounded(ferrograd.randn(2, generator=g).tolist()) == [0.2453, 1.1186]
    assert ferrograd.rand(1).tolist() == [0.49625658988952637]  # global stream untouched


def test_seed_and_initial_seed():
    ferrograd.manual_seed(7)
    assert ferrograd.initial_seed() == 7
    s = ferrograd.seed()  # a fresh non-deterministic seed, which becomes the initial seed
    assert isinstance(s, int) and ferrograd.initial_seed() == s
    ferrograd.manual_seed(0)


def fresh_process_seeds() -> list[str]:
    code = "import ferrograd; print(ferrograd.initial_seed(), ferrograd.Generator().initial_seed())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_initial_seeds_in_a_fresh_process():
    # A new Generator starts from PyTorch's fixed default seed; the global generator is
    # seeded non-deterministically at import, so two runs draw different numbers.
    first, second = fresh_process_seeds(), fresh_process_seeds()
    assert first[1] == second[1] == "67280421310721"
    assert first[0] != second[0]


# ---------------------------------------------------------------- random: shapes and ranges


@pytest.mark.parametrize("name", FLOAT_DTYPE_NAMES)
def test_rand_and_randn_shapes_dtypes_and_ranges(name):
    u = ferrograd.rand(1000, dtype=dtype(name)).tolist()
    assert 0 <= min(u) and max(u) < 1
    n = ferrograd.randn(2, 3, dtype=dtype(name))
    assert n.shape == (2, 3) and n.dtype == dtype(name)
    assert ferrograd.rand(()).shape == () and ferrograd.randn(0).shape == (0,)


def test_randint_randperm_multinomial_bernoulli():
    r = ferrograd.randint(3, 10, (1000,))
    assert r.dtype == ferrograd.int64 and set(r.tolist()) == set(range(3, 10))
    assert ferrograd.randint(0, 10, (3,), dtype=ferrograd.int32).dtype == ferrograd.int32
    assert sorted(ferrograd.randperm(20).tolist()) == list(range(20))
    assert ferrograd.randperm(0).tolist() == [] and ferrograd.randperm(4).dtype == ferrograd.int64
    m = ferrograd.multinomial(ferrograd.tensor([0.0, 1.0, 1.0, 0.0]), 2)
    assert m.dtype == ferrograd.int64 and sorted(m.tolist()) == [1, 2]  # no zero-weight picks
    assert ferrograd.multinomial(ferrograd.ones(2, 5), 3).shape == (2, 3)
    assert ferrograd.multinomial(ferrograd.ones(3), 10, replacement=True).shape == (10,)
    b = ferrograd.bernoulli(ferrograd.tensor([0.0, 1.0, 0.0, 1.0], dtype=ferrograd.float64))
    assert b.tolist() == [0.0, 1.0, 0.0, 1.0] and b.dtype == ferrograd.float64
    assert ferrograd.normal(ferrograd.zeros(2, 1), ferrograd.ones(3)).shape == (2, 3)


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_random_fills_the_full_range_of_the_dtype(name):
    # random_() draws from [0, 2**mantissa_bits] for floats and [0, max] for integers.
    t = ferrograd.empty(2000, dtype=dtype(name))
    assert t.random_() is t
    top = {"float16": 2**11, "bfloat16": 2**8, "float32": 2**24, "float64": 2**53}.get(name)
    top = top or (1 if name == "bool" else ferrograd.iinfo(dtype(name)).max)
    assert 0 <= min(t.tolist()) and max(t.tolist()) <= top
    if name != "bool":
        low = 3 if name == "uint8" else -3
        values = t.random_(low, 10).tolist()
        assert set(values) == set(range(low, 10))


@pytest.mark.parametrize("name", FLOAT_DTYPE_NAMES)
def test_in_place_fillers_return_self(name):
    t = ferrograd.empty(1000, dtype=dtype(name))
    assert t.uniform_(-2, 3) is t and -2 <= min(t.tolist()) and max(t.tolist()) <= 3
    assert t.normal_(5, 0.1) is t and 4 < sum(t.tolist()) / 1000 < 6
    assert t.exponential_() is t and min(t.tolist()) >= 0
    assert t.bernoulli_(0.3) is t and set(t.tolist()) == {0.0, 1.0}
    assert t.fill_(2.5) is t and set(t.tolist()) == {2.5}
    assert t.zero_() is t and set(t.tolist()) == {0.0}


@pytest.mark.parametrize("name", INT_DTYPE_NAMES + ["bool"])
def test_fill_and_bernoulli_on_non_float_tensors(name):
    t = ferrograd.zeros(100, dtype=dtype(name))
    assert t.bernoulli_(0.5) is t and t.dtype == dtype(name)
    assert set(t.tolist()) == {0, 1}
    assert t.fill_(1.7).tolist() == [1] * 100  # cast like a conversion: 1.7 -> 1 (True)


def test_fillers_write_through_non_contiguous_views():
    base = ferrograd.zeros(4, 4)
    base[:, ::2].uniform_(1, 2)
    rows = base.tolist()
    assert all(r[1] == r[3] == 0 and 1 <= min(r[0], r[2]) for r in rows)
    base.t().fill_(3.0)
    assert base.tolist() == [[3.0] * 4] * 4


# ---------------------------------------------------------------- legacy constructors

LEGACY = [
    ("Tensor", "float32"),
    ("FloatTensor", "float32"),
    ("DoubleTensor", "float64"),
    ("LongTensor", "int64"),
    ("IntTensor", "int32"),
    ("BoolTensor", "bool"),
    ("ByteTensor", "uint8"),
]


@pytest.mark.parametrize(("cls", "name"), LEGACY)
def test_legacy_constructors_take_sizes_or_data(cls, name):
    make = getattr(ferrograd, cls)
    assert make(2, 3).shape == (2, 3) and make(2, 3).dtype == dtype(name)
    assert make(ferrograd.Size([4])).shape == (4,)
    assert make([1, 0]).tolist() == ([True, False] if name == "bool" else [1, 0])
    assert make((2,)).shape == (1,)  # a tuple is data, only a Size is a size
    assert make().shape == (0,)


@pytest.mark.parametrize(("cls", "name"), LEGACY)
def test_legacy_constructor_zero_fills_ferrograd_contract(cls, name):
    # PyTorch leaves this memory uninitialised; ferrograd zero-fills it (deliberately).
    assert set(getattr(ferrograd, cls)(64).tolist()) == {0}
