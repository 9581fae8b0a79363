"""default_collate / default_convert: dtypes, structure and errors recorded from
torch.utils.data (a Python float batch is float64, an int batch int64, strings stay a list,
tuples come back as lists, namedtuples and mappings keep their type)."""

from __future__ import annotations

import collections

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.utils.data import default_collate, default_convert
from ferrograd.utils.data._collate import collate, default_collate_fn_map

P = collections.namedtuple("P", "x y")


def describe(x):
    """Tensors as (dtype name, shape, values); containers kept: comparable with recordings."""
    if isinstance(x, torch.Tensor):
        return ("T", str(x.dtype).split(".")[1], tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return {k: describe(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, *(describe(v) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(describe(v) for v in x)
    return x


@pytest.mark.parametrize(
    ("batch", "expected"),
    [
        ([1, 2, 3], ("T", "int64", (3,), [1, 2, 3])),
        ([1.0, 2.5], ("T", "float64", (2,), [1.0, 2.5])),
        ([True, False], ("T", "bool", (2,), [True, False])),
        (["a", "b"], ["a", "b"]),
        ([b"a", b"b"], [b"a", b"b"]),
        ([np.float32(1), np.float32(2)], ("T", "float32", (2,), [1.0, 2.0])),
        ([np.int32(1), np.int32(2)], ("T", "int32", (2,), [1, 2])),
        ([np.float64(1), np.float64(2)], ("T", "float64", (2,), [1.0, 2.0])),
        ([np.bool_(True), np.bool_(False)], ("T", "bool", (2,), [True, False])),
        (
            [np.array([1, 2], dtype=np.int16), np.array([3, 4], dtype=np.int16)],
            ("T", "int16", (2, 2), [[1, 2], [3, 4]]),
        ),
        ([np.array([1.5]), np.array([3.0])], ("T", "float64", (2, 1), [[1.5], [3.0]])),
        (
            [torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])],
            ("T", "float32", (2, 2), [[1.0, 2.0], [3.0, 4.0]]),
        ),
    ],
)
def test_default_collate_leaves(batch, expected):
    assert describe(default_collate(batch)) == expected


def test_default_collate_containers_recorded_from_pytorch():
    batch = [{"a": 1, "b": torch.tensor(1.0)}, {"a": 2, "b": torch.tensor(2.0)}]
    assert describe(default_collate(batch)) == {
        "a": ("T", "int64", (2,), [1, 2]),
        "b": ("T", "float32", (2,), [1.0, 2.0]),
    }
    assert type(default_collate([collections.OrderedDict(a=1)])) is collections.OrderedDict
    assert describe(default_collate([P(1, 2.0), P(3, 4.0)])) == (
        "P",
        ("T", "int64", (2,), [1, 3]),
        ("T", "float64", (2,), [2.0, 4.0]),
    )
    # tuples are transposed into a list (PyTorch's backwards-compatible choice)
    assert describe(default_collate([(1, 2.0), (3, 4.0)])) == [
        ("T", "int64", (2,), [1, 3]),
        ("T", "float64", (2,), [2.0, 4.0]),
    ]
    assert describe(default_collate([[1, 2], [3, 4]])) == [
        ("T", "int64", (2,), [1, 3]),
        ("T", "int64", (2,), [2, 4]),
    ]
    nested = [(torch.tensor([1]), {"k": [1, 2]}), (torch.tensor([2]), {"k": [3, 4]})]
    assert describe(default_collate(nested)) == [
        ("T", "int64", (2, 1), [[1], [2]]),
        {"k": [("T", "int64", (2,), [1, 3]), ("T", "int64", (2,), [2, 4])]},
    ]


def test_default_collate_errors_recorded_from_pytorch():
    with pytest.raises(RuntimeError, match="^each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    prefix = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    for bad, found in [(object(), "<class 'object'>"), (None, "<class 'NoneType'>")]:
        with pytest.raises(TypeError) as info:
            default_collate([bad])
        assert str(info.value) == prefix + "found " + found
    with pytest.raises(TypeError) as info:
        default_collate([np.array(["a"])])
    assert str(info.value) == prefix + "found <U1"
    with pytest.raises(RuntimeError) as info:
        default_collate([torch.zeros(3), torch.zeros(2)])
    assert str(info.value) == (
        "stack expects each tensor to be equal size, but got [3] at entry 0 and [2] at entry 1"
    )


def test_collate_fn_map_can_be_extended():
    class Point:
        def __init__(self, v):
            self.v = v

    def collate_point(batch, *, collate_fn_map=None):
        return sum(p.v for p in batch)

    rules = {**default_collate_fn_map, Point: collate_point}
    out = collate([(Point(1), 1.0), (Point(2), 2.0)], collate_fn_map=rules)
    assert out[0] == 3 and describe(out[1]) == ("T", "float64", (2,), [1.0, 2.0])


def test_default_convert_recorded_from_pytorch():
    assert describe(default_convert(np.array([1, 2]))) == ("T", "int64", (2,), [1, 2])
    assert describe(default_convert((np.int64(1), "a"))) == [("T", "int64", (), 1), "a"]
    assert describe(default_convert({"a": np.zeros(2, dtype=np.float32)})) == {
        "a": ("T", "float32", (2,), [0.0, 0.0])
    }
    assert describe(default_convert([np.float32(1.5), 2])) == [("T", "float32", (), 1.5), 2]
    assert describe(default_convert(P(np.int8(1), "s"))) == ("P", ("T", "int8", (), 1), "s")
    # string arrays and numpy strings are left alone
    assert default_convert(np.array(["x"])).dtype == np.dtype("<U1")
    assert default_convert(np.str_("s")) == "s"
    t = torch.zeros(2)
    assert default_convert(t) is t
