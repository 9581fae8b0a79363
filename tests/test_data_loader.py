"""DataLoader in the main process (num_workers=0): batches, lengths, shuffling orders
recorded from torch.utils.data under fixed seeds, iterable datasets, and PyTorch's option
conflicts with their messages."""

from __future__ import annotations

import multiprocessing
import pickle
import warnings

import ferrograd as torch
import numpy as np
import pytest
from ferrograd.utils.data import DataLoader, IterableDataset, Subset, TensorDataset


class Count(IterableDataset):
    """0, 1, ..., n-1 as a stream, with a length."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


class Liar(IterableDataset):
    """Yields 5 items but claims 2."""

    def __iter__(self):
        return iter(range(5))

    def __len__(self) -> int:
        return 2


def dataset10() -> TensorDataset:
    return TensorDataset(torch.arange(10.0), torch.arange(10))


def labels(loader) -> list[list[int]]:
    return [batch[1].tolist() for batch in loader]


def test_batches_and_lengths():
    ds = dataset10()
    batches = list(DataLoader(ds, batch_size=4))
    assert [b[0].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].dtype == torch.float32 and batches[0][1].dtype == torch.int64
    # len: ceil(10 / 3) = 4, floor(10 / 3) = 3 with drop_last, 10 without batching
    assert len(DataLoader(ds)) == 10
    assert len(DataLoader(ds, batch_size=3)) == 4
    assert len(DataLoader(ds, batch_size=3, drop_last=True)) == 3
    assert len(DataLoader(ds, batch_size=None)) == 10
    assert labels(DataLoader(ds, batch_size=3, drop_last=True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_default_batch_size_one_and_no_batching():
    assert [b.tolist() for b in DataLoader(range(3))] == [[0], [1], [2]]
    first = next(iter(DataLoader(dataset10(), batch_size=None)))
    assert first[0].shape == () and first[1].item() == 0
    # without batching, default_convert turns numpy into tensors one sample at a time
    out = list(DataLoader([np.float32(1.5), np.array([1, 2])], batch_size=None))
    assert out[0].dtype == torch.float32 and out[1].tolist() == [1, 2]


def test_shuffle_recorded_from_pytorch():
    torch.manual_seed(3)
    assert labels(DataLoader(dataset10(), batch_size=3, shuffle=True)) == [
        [6, 2, 0], [1, 8, 3], [5, 4, 7], [9],
    ]  # fmt: skip
    # the loader draws from the global generator exactly as PyTorch does
    assert torch.rand(1).item() == pytest.approx(0.47161436080932617)


def test_shuffle_with_generator_recorded_from_pytorch():
    g = torch.Generator().manual_seed(11)
    assert labels(DataLoader(dataset10(), batch_size=3, shuffle=True, generator=g)) == [
        [0, 9, 3], [6, 1, 5], [7, 4, 8], [2],
    ]  # fmt: skip


def test_each_epoch_reshuffles_recorded_from_pytorch():
    g = torch.Generator().manual_seed(1)
    loader = DataLoader(dataset10(), batch_size=4, shuffle=True, drop_last=True, generator=g)
    assert [labels(loader) for _ in range(2)] == [
        [[4, 6, 9, 2], [3, 1, 0, 7]],
        [[6, 8, 5, 1], [3, 7, 2, 4]],
    ]


def test_each_iter_is_a_new_iterator():
    loader = DataLoader(range(5), batch_size=2)
    a, b = iter(loader), iter(loader)
    assert a is not b and len(a) == 3
    assert next(a).tolist() == [0, 1] and next(b).tolist() == [0, 1]


def test_sampler_batch_sampler_collate_fn():
    order = [5, 4, 3, 2, 1, 0]
    assert [b.tolist() for b in DataLoader(range(6), sampler=order, batch_size=4)] == [
        [5, 4, 3, 2],
        [1, 0],
    ]
    batches = [[0, 1], [5], [2, 3, 4]]
    out = [b.tolist() for b in DataLoader(range(10, 16), batch_sampler=batches)]
    assert out == [[10, 11], [15], [12, 13, 14]]
    assert list(DataLoader(range(5), batch_size=2, collate_fn=sum)) == [1, 5, 4]
    sub = DataLoader(Subset(range(100, 110), [9, 0, 5]), batch_size=2)
    assert [b.tolist() for b in sub] == [[109, 100], [105]]


def test_iterable_dataset():
    assert [b.tolist() for b in DataLoader(Count(5), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in DataLoader(Count(5), batch_size=2, drop_last=True)] == [
        [0, 1],
        [2, 3],
    ]
    assert list(DataLoader(Count(3), batch_size=None)) == [0, 1, 2]
    assert len(DataLoader(Count(5), batch_size=2)) == 3
    assert len(DataLoader(Count(5), batch_size=2, drop_last=True)) == 2
    assert len(DataLoader(Count(5), batch_size=None)) == 5


def test_iterable_dataset_longer_than_its_len_warns():
    loader = DataLoader(Liar(), batch_size=None)
    len(loader)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(loader)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3  # for the 3rd, 4th and 5th items
    assert messages[0].startswith("Length of IterableDataset <")
    assert messages[0].endswith(
        "was reported to be 2(when accessing len(dataloader)), but 3 samples have been fetched. "
    )


def test_pin_memory_is_accepted_with_pytorchs_warning():
    with pytest.warns(UserWarning) as caught:
        batches = list(DataLoader(dataset10(), batch_size=5, pin_memory=True))
    assert len(batches) == 2
    assert str(caught[0].message) == (
        "'pin_memory' argument is set as true but no accelerator is found, "
        "then device pinned memory won't be used."
    )


def test_too_many_workers_warns():
    with pytest.warns(UserWarning, match="This DataLoader will create 1000 worker processes"):
        DataLoader(range(3), num_workers=1000)


def test_iterator_cannot_be_pickled():
    it = iter(DataLoader(range(3)))
    with pytest.raises(NotImplementedError):
        pickle.dumps(it)


def test_timeout_requires_workers_like_pytorch():
    with pytest.raises(AssertionError, match="^_SingleProcessDataLoaderIter requires timeout == 0"):
        next(iter(DataLoader(range(3), timeout=3)))


def test_frozen_attributes():
    loader = DataLoader(range(3))
    for name in ["batch_size", "dataset", "sampler", "batch_sampler", "drop_last"]:
        with pytest.raises(ValueError) as info:
            setattr(loader, name, None)
        assert (
            str(info.value) == f"{name} attribute should not be set after DataLoader is initialized"
        )
    loader.num_workers = 0  # other attributes stay settable


ds10 = dataset10()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: DataLoader(ds10, num_workers=-1),
            ValueError,
            (
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            ),
        ),
        (lambda: DataLoader(ds10, timeout=-1), ValueError, "timeout option should be non-negative"),
        (
            lambda: DataLoader(ds10, prefetch_factor=2),
            ValueError,
            (
                "prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                "to enable multiprocessing, otherwise set prefetch_factor to None."
            ),
        ),
        (
            lambda: DataLoader(ds10, num_workers=1, prefetch_factor=-1),
            ValueError,
            "prefetch_factor option should be non-negative",
        ),
        (
            lambda: DataLoader(ds10, persistent_workers=True),
            ValueError,
            "persistent_workers option needs num_workers > 0",
        ),
        (
            lambda: DataLoader(Count(3), shuffle=True),
            ValueError,
            (
                "DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                "shuffle=True"
            ),
        ),
        (
            lambda: DataLoader(Count(3), sampler=[0]),
            ValueError,
            (
                "DataLoader with IterableDataset: expected unspecified sampler option, but got "
                "sampler=[0]"
            ),
        ),
        (
            lambda: DataLoader(Count(3), batch_sampler=[[0]]),
            ValueError,
            (
                "DataLoader with IterableDataset: expected unspecified batch_sampler option, but got "
                "batch_sampler=[[0]]"
            ),
        ),
        (
            lambda: DataLoader(ds10, sampler=[0], shuffle=True),
            ValueError,
            "sampler option is mutually exclusive with shuffle",
        ),
        (
            lambda: DataLoader(ds10, batch_sampler=[[0]], batch_size=2),
            ValueError,
            (
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                "drop_last"
            ),
        ),
        (
            lambda: DataLoader(ds10, batch_sampler=[[0]], drop_last=True),
            ValueError,
            (
                "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                "drop_last"
            ),
        ),
        (
            lambda: DataLoader(ds10, batch_size=None, drop_last=True),
            ValueError,
            (
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            ),
        ),
        (
            lambda: DataLoader(ds10, multiprocessing_context="spawn"),
            ValueError,
            (
                "multiprocessing_context can only be used with multi-process loading "
                "(num_workers > 0), but got num_workers=0"
            ),
        ),
        (
            lambda: DataLoader(ds10, num_workers=1, multiprocessing_context="bogus"),
            ValueError,
            (
                "multiprocessing_context option should specify a valid start method in "
                f"{multiprocessing.get_all_start_methods()!r}, but got "
                "multiprocessing_context='bogus'"
            ),
        ),
        (
            lambda: DataLoader(ds10, num_workers=1, multiprocessing_context=3),
            TypeError,
            (
                "multiprocessing_context option should be a valid context object or a string "
                "specifying the start method, but got multiprocessing_context=3"
            ),
        ),
        (
            lambda: DataLoader(ds10, batch_size=0),
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=0",
        ),
        (
            lambda: DataLoader(ds10, batch_size=2.0),
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=2.0",
        ),
        (
            lambda: DataLoader(ds10, batch_size=2, drop_last=1),
            ValueError,
            "drop_last should be a boolean value, but got drop_last=1",
        ),
    ],
)
def test_option_errors_recorded_from_pytorch(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message
