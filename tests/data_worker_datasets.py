"""Datasets for the DataLoader worker tests (test_data_workers.py).

Kept apart, in a module that imports nothing heavy, because every worker process imports the
module that defines its dataset (the dataset is pickled by reference): importing the test
module itself would load the test framework in each worker. Holds no tests.
"""

from __future__ import annotations

import math
import os
import random
import time

import ferrograd as torch
import numpy as np
from ferrograd.utils.data import Dataset, IterableDataset, get_worker_info


class Seeds(Dataset):
    """Each item reports the worker's info and one draw from each global generator."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "id": info.id,
            "seed": info.seed,
            "n": info.num_workers,
            "t": torch.rand(1).item(),
            "np": float(np.random.rand()),
            "py": random.random(),
        }


class Range(IterableDataset):
    """range(start, end), split between workers by get_worker_info() (PyTorch's doc example)."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = math.ceil((self.end - self.start) / info.num_workers)
        start = self.start + info.id * per_worker
        return iter(range(start, min(start + per_worker, self.end)))


class Unsharded(IterableDataset):
    def __iter__(self):
        return iter(range(3))


class Boom(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise ValueError("bad index 2")
        return i


class MissingKey(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return {}["nope"]


class Pid(Dataset):
    """Item 0 is the worker's pid; later items take `delay` seconds."""

    def __init__(self, n=100, delay=60.0):
        self.n, self.delay = n, delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i > 0:
            time.sleep(self.delay)
        return os.getpid()


class Big(Dataset):
    """Large samples: a few batches fill any pipe buffer."""

    def __len__(self):
        return 64

    def __getitem__(self, i):
        return torch.full((256, 256), float(i)), os.getpid()


def failing_init(worker_id):
    raise RuntimeError(f"init failed in {worker_id}")


class PlainRange(IterableDataset):
    """range(start, end) with no sharding of its own: `shard_by_init` configures each copy."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))


def shard_by_init(worker_id):
    """PyTorch's documented worker_init_fn: narrow this worker's copy of the dataset."""
    info = get_worker_info()
    dataset = info.dataset
    overall_start, overall_end = dataset.start, dataset.end
    per_worker = math.ceil((overall_end - overall_start) / info.num_workers)
    dataset.start = overall_start + worker_id * per_worker
    dataset.end = min(dataset.start + per_worker, overall_end)


def collate_to_generator(batch):
    """A collate_fn whose result cannot be pickled back to the main process."""
    return (item for item in batch)
