"""ferrograd.utils.data datasets and random_split: behaviour, messages and random orders
recorded from torch.utils.data, and hypothesis properties of the splits."""

from __future__ import annotations

import warnings

import ferrograd as torch
import pytest
from ferrograd.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from hypothesis import given
from hypothesis import strategies as st


class Count(IterableDataset):
    """0, 1, ..., n-1 as a stream, with a length."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- TensorDataset ---------------------------------------------------------------------------


def test_tensor_dataset_indexes_every_tensor_along_dim0():
    x = torch.arange(12.0).reshape(6, 2)
    y = torch.arange(6) * 10
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    assert xi.tolist() == [8.0, 9.0] and yi.item() == 40
    # slices and index lists pass straight to the tensors
    assert ds[1:3][1].tolist() == [10, 20]
    assert ds.tensors[0] is x


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="^Size mismatch between tensors$"):
        TensorDataset(torch.zeros(3), torch.zeros(4))


# --- Dataset base, ConcatDataset, ChainDataset -------------------------------------------------


def test_dataset_base_has_no_item_and_no_len():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]
    with pytest.raises(TypeError, match="object of type 'Dataset' has no len"):
        len(Dataset())


def test_concat_dataset_indexing():
    # cumulative sizes [3, 7]: index 3 is the first item of the second dataset
    c = ConcatDataset([range(3), range(10, 14)])
    assert len(c) == 7 and c.cumulative_sizes == [3, 7]
    assert [c[i] for i in range(7)] == [0, 1, 2, 10, 11, 12, 13]
    assert c[-1] == 13 and c[-7] == 0
    with pytest.raises(ValueError, match="^absolute value of index should not exceed dataset"):
        c[-8]
    with pytest.raises(IndexError):
        c[7]


def test_concat_dataset_errors_and_deprecated_alias():
    with pytest.raises(AssertionError, match="^datasets should not be an empty iterable$"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="^ConcatDataset does not support IterableDataset$"):
        ConcatDataset([Count(3)])
    c = ConcatDataset([range(2), range(1)])
    with pytest.warns(FutureWarning, match="renamed to `cumulative_sizes`"):
        assert c.cummulative_sizes == [2, 3]


def test_add_operators():
    a, b = TensorDataset(torch.zeros(2)), TensorDataset(torch.ones(3))
    both = a + b
    assert isinstance(both, ConcatDataset) and len(both) == 5 and both[4][0].item() == 1.0
    chained = Count(2) + Count(3)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5


def test_chain_dataset_rejects_map_style():
    with pytest.raises(AssertionError, match="^ChainDataset only supports IterableDataset$"):
        list(ChainDataset([range(3)]))
    with pytest.raises(AssertionError, match="^ChainDataset only supports IterableDataset$"):
        len(ChainDataset([range(3)]))


# --- StackDataset, Subset ---------------------------------------------------------------------


def test_stack_dataset_tuple_and_dict():
    s = StackDataset(range(3), range(10, 13))
    assert len(s) == 3 and s[1] == (1, 11)
    assert s.__getitems__([0, 2]) == [(0, 10), (2, 12)]
    d = StackDataset(a=range(3), b=range(10, 13))
    assert d[1] == {"a": 1, "b": 11}
    assert d.__getitems__([0, 2]) == [{"a": 0, "b": 10}, {"a": 2, "b": 12}]
    # a part with its own __getitems__ is asked for the whole batch
    nested = StackDataset(Subset(range(100), [5, 6, 7]), range(3))
    assert nested.__getitems__([2, 0]) == [(7, 2), (5, 0)]


def test_stack_dataset_errors():
    # PyTorch's message, with its missing space between "or" and "``dict``"
    both = (
        "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
        "input/output, but both types are given."
    )
    with pytest.raises(ValueError) as info:
        StackDataset(range(2), a=range(2))
    assert str(info.value) == both
    with pytest.raises(ValueError, match="^At least one dataset should be passed$"):
        StackDataset()
    with pytest.raises(ValueError, match="^Size mismatch between datasets$"):
        StackDataset(range(2), range(3))


class ShortGetitems(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return i

    def __getitems__(self, indices):
        return indices[:-1]


def test_stack_dataset_checks_nested_getitems_length():
    with pytest.raises(
        ValueError, match="^Nested dataset's output size mismatch. Expected 2, got 1$"
    ):
        StackDataset(ShortGetitems()).__getitems__([0, 1])


def test_subset():
    sub = Subset(range(10, 20), [3, 1])
    assert len(sub) == 2 and sub[1] == 11 and sub.__getitems__([0, 1]) == [13, 11]
    # a list index is mapped through the subset's indices and passed on as one list
    t = Subset(TensorDataset(torch.arange(10)), [9, 8, 7])
    assert t[[0, 2]][0].tolist() == [9, 7]


def test_subset_subclass_must_override_getitems_too():
    class OnlyGetitem(Subset):
        def __getitem__(self, idx):
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        OnlyGetitem(range(3), [0])


# --- random_split -----------------------------------------------------------------------------


def test_random_split_lengths_recorded_from_pytorch():
    parts = random_split(range(10), [3, 7], generator=seeded(42))
    assert [p.indices for p in parts] == [[2, 6, 1], [8, 4, 5, 0, 9, 3, 7]]
    assert all(isinstance(p, Subset) for p in parts)


def test_random_split_fractions_recorded_from_pytorch():
    parts = random_split(range(30), [0.3, 0.3, 0.4], generator=seeded(42))
    assert [p.indices for p in parts] == [
        [12, 0, 6, 25, 8, 15, 10, 18, 16],
        [23, 28, 26, 20, 7, 21, 22, 29, 13],
        [14, 2, 4, 1, 9, 11, 17, 19, 27, 5, 24, 3],
    ]


def test_random_split_fraction_rounding_round_robin():
    # floor(7 * [0.5, 0.25, 0.25]) = [3, 1, 1]; the remainder 2 goes to splits 0 and 1
    assert [len(p) for p in random_split(range(7), [0.5, 0.25, 0.25])] == [4, 2, 1]


def test_random_split_warns_for_empty_split():
    # floor(3 * [0.1, 0.1, 0.8]) = [0, 0, 2]; the remainder 1 goes to split 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(range(3), [0.1, 0.1, 0.8], generator=seeded(0))
    assert [len(p) for p in parts] == [1, 0, 2]
    assert [str(w.message) for w in caught] == [
        "Length of split at index 1 is 0. This might result in an empty dataset."
    ]
    assert caught[0].category is UserWarning
    assert caught[0].filename == __file__  # points at the caller, as PyTorch's does


def test_random_split_uses_global_generator_like_pytorch():
    torch.manual_seed(7)
    assert [p.indices for p in random_split(range(6), [2, 4])] == [[3, 0], [1, 5, 2, 4]]


def test_random_split_errors():
    with pytest.raises(ValueError, match="^Sum of input lengths does not equal the length"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="^Fraction at index 0 is not between 0 and 1$"):
        random_split(range(10), [1.5, -0.5])


@given(
    n=st.integers(0, 60),
    cuts=st.lists(st.integers(0, 60), min_size=0, max_size=4),
    seed=st.integers(0, 2**31),
)
def test_random_split_partitions_property(n, cuts, seed):
    # integer lengths summing to n: the subsets partition range(n) exactly
    points = sorted(min(c, n) for c in cuts)
    lengths = [b - a for a, b in zip([0, *points], [*points, n])]
    parts = random_split(range(n), lengths, generator=seeded(seed))
    assert [len(p) for p in parts] == lengths
    assert sorted(i for p in parts for i in p) == list(range(n))


@given(
    n=st.integers(1, 200),
    weights=st.lists(st.integers(1, 9), min_size=1, max_size=5),
)
def test_random_split_fractions_property(n, weights):
    # fractions summing to 1: counts within 1 of n * frac, summing to n, covering range(n)
    fracs = [w / sum(weights) for w in weights]
    if abs(sum(fracs) - 1) > 1e-12 or sum(fracs) > 1:
        fracs[-1] = 1 - sum(fracs[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = random_split(range(n), fracs, generator=seeded(n))
    assert sum(len(p) for p in parts) == n
    assert all(abs(len(p) - n * f) < 1 + 1e-9 for p, f in zip(parts, fracs))
    assert sorted(i for p in parts for i in p) == list(range(n))
