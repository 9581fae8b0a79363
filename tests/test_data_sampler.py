"""ferrograd.utils.data samplers: orders recorded from torch.utils.data under fixed seeds
(ferrograd's generators follow PyTorch's algorithms), argument checks and messages, and
hypothesis properties of BatchSampler and RandomSampler."""

from __future__ import annotations

import ferrograd as torch
import pytest
from ferrograd.utils.data import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from hypothesis import given
from hypothesis import strategies as st


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_base_sampler_iter_not_implemented():
    with pytest.raises(NotImplementedError):
        iter(Sampler())


def test_sequential_sampler():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5


# --- orders recorded from PyTorch (same seed, same order) ------------------------------------


def test_random_sampler_permutation_recorded_from_pytorch():
    assert list(RandomSampler(range(10), generator=seeded(0))) == [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]


def test_random_sampler_with_replacement_recorded_from_pytorch():
    # 40 draws: one block of 32, then 8 (PyTorch draws in blocks of 32)
    drawn = list(RandomSampler(range(10), replacement=True, num_samples=40, generator=seeded(0)))
    assert drawn == [
        4, 9, 3, 0, 3, 9, 7, 3, 7, 3, 1, 6, 6, 9, 8, 6, 6, 8, 4, 3,
        6, 9, 1, 4, 4, 1, 9, 9, 9, 0, 1, 2, 3, 0, 5, 5, 2, 9, 1, 8,
    ]  # fmt: skip


def test_random_sampler_more_samples_than_items_recorded_from_pytorch():
    # 10 of 4 without replacement: two whole permutations, then the head of a third
    s = RandomSampler(range(4), num_samples=10, generator=seeded(3))
    assert list(s) == [2, 3, 1, 0, 3, 2, 1, 0, 0, 3] and len(s) == 10


def test_random_sampler_without_generator_follows_global_seed():
    # each pass seeds a fresh generator from the global one: passes differ, runs repeat
    torch.manual_seed(5)
    first, second = list(RandomSampler(range(8))), list(RandomSampler(range(8)))
    assert first == [5, 3, 0, 7, 4, 1, 6, 2]
    assert second == [4, 6, 1, 7, 5, 3, 2, 0]


def test_subset_random_sampler_recorded_from_pytorch():
    s = SubsetRandomSampler([10, 20, 30, 40, 50], generator=seeded(2))
    assert list(s) == [40, 50, 20, 10, 30] and len(s) == 5


def test_weighted_random_sampler_recorded_from_pytorch():
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    assert list(WeightedRandomSampler(w, 5, replacement=True, generator=seeded(0))) == [
        5, 4, 4, 5, 4,
    ]  # fmt: skip
    w = [0.9, 0.4, 0.05, 0.2, 0.3, 0.1]
    s = WeightedRandomSampler(w, 5, replacement=False, generator=seeded(0))
    assert list(s) == [1, 4, 0, 2, 3] and len(s) == 5
    assert s.weights.dtype == torch.float64


def test_weighted_sampler_never_draws_zero_weight():
    drawn = list(WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 200, generator=seeded(1)))
    assert set(drawn) <= {1, 3}


# --- argument checks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: RandomSampler(range(3), replacement=1),
            TypeError,
            "replacement should be a boolean value, but got replacement=1",
        ),
        (
            lambda: RandomSampler(range(3), num_samples=0),
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=0",
        ),
        (
            lambda: RandomSampler(range(0)),
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=0",
        ),
        (
            lambda: WeightedRandomSampler([1.0], num_samples=True),
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=True",
        ),
        (
            lambda: WeightedRandomSampler([1.0], 1, replacement=0),
            ValueError,
            "replacement should be a boolean value, but got replacement=0",
        ),
        (
            lambda: WeightedRandomSampler([[1.0, 2.0]], 1),
            ValueError,
            "weights should be a 1d sequence but given weights have shape (1, 2)",
        ),
        (
            lambda: BatchSampler(range(3), 0, False),
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=0",
        ),
        (
            lambda: BatchSampler(range(3), True, False),
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=True",
        ),
        (
            lambda: BatchSampler(range(3), 2, 1),
            ValueError,
            "drop_last should be a boolean value, but got drop_last=1",
        ),
    ],
)
def test_sampler_argument_errors(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


# --- BatchSampler -----------------------------------------------------------------------------


def test_batch_sampler_hand_cases():
    # 10 indices in threes: 3 full batches and a last one of 1 (dropped with drop_last)
    assert list(BatchSampler(SequentialSampler(range(10)), 3, False)) == [
        [0, 1, 2], [3, 4, 5], [6, 7, 8], [9],
    ]  # fmt: skip
    assert list(BatchSampler(range(10), 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(10), 3, False)) == 4
    assert len(BatchSampler(range(10), 3, True)) == 3


@given(n=st.integers(0, 80), batch_size=st.integers(1, 12), drop_last=st.booleans())
def test_batch_sampler_covers_every_index_once(n, batch_size, drop_last):
    batches = list(
        BatchSampler(
            RandomSampler(range(n), generator=seeded(n)) if n else [], batch_size, drop_last
        )
    )
    flat = [i for b in batches for i in b]
    assert len(flat) == len(set(flat))  # no index twice
    kept = (n // batch_size) * batch_size if drop_last else n
    assert len(flat) == kept and set(flat) <= set(range(n))
    # every batch is full except possibly the last (never empty)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert all(0 < len(b) <= batch_size for b in batches)
    assert len(batches) == len(BatchSampler(range(n), batch_size, drop_last))


@given(n=st.integers(1, 50), seed=st.integers(0, 2**31))
def test_random_sampler_is_a_permutation(n, seed):
    assert sorted(RandomSampler(range(n), generator=seeded(seed))) == list(range(n))


@given(n=st.integers(1, 20), num_samples=st.integers(1, 100), seed=st.integers(0, 2**31))
def test_random_sampler_with_replacement_in_range(n, num_samples, seed):
    s = RandomSampler(range(n), replacement=True, num_samples=num_samples, generator=seeded(seed))
    drawn = list(s)
    assert len(drawn) == num_samples == len(s) and all(0 <= i < n for i in drawn)
