"""DataLoader with worker processes: same batches and order as num_workers=0, per-worker
seeding recorded from PyTorch, IterableDataset sharding, errors re-raised with the worker's
traceback, a killed worker reported promptly, timeouts, and no processes left behind.

Workers start with Python's default method (fork on Linux); the tests that choose spawn or
forkserver need datasets importable by name (and cheaply), so those live in
data_worker_datasets.py.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import ferrograd as torch
import pytest
from data_worker_datasets import (
    Big,
    Boom,
    MissingKey,
    Pid,
    PlainRange,
    Range,
    Seeds,
    Unsharded,
    collate_to_generator,
    failing_init,
    shard_by_init,
)
from ferrograd.utils.data import DataLoader, Dataset, TensorDataset, get_worker_info
from ferrograd.utils.data._worker import _start_worker


def dataset10() -> TensorDataset:
    return TensorDataset(torch.arange(10.0).reshape(10, 1), torch.arange(10))


def as_lists(batches):
    return [[t.tolist() for t in b] for b in batches]


def gone(pids, within=5.0) -> bool:
    """True once none of `pids` exists (a reaped process has no /proc entry)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(os.path.exists(f"/proc/{pid}") for pid in pids):
            return True
        time.sleep(0.05)
    return False


# --- results --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("num_workers", "batch_size", "drop_last", "prefetch_factor"),
    [(1, 3, False, None), (2, 3, False, None), (2, 4, True, 1), (3, 1, False, 3)],
)
def test_same_batches_as_main_process(num_workers, batch_size, drop_last, prefetch_factor):
    def make(workers, **extra):
        return DataLoader(
            dataset10(),
            batch_size=batch_size,
            shuffle=True,
            drop_last=drop_last,
            num_workers=workers,
            generator=torch.Generator().manual_seed(9),
            **extra,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 3 workers may exceed the CPU count
        parallel = as_lists(make(num_workers, prefetch_factor=prefetch_factor))
    assert parallel == as_lists(make(0))


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
@pytest.mark.parametrize("dataset", [dataset10(), list(range(10))], ids=["tensors", "list"])
def test_every_start_method_gives_the_same_batches(method, dataset):
    loader = DataLoader(dataset, batch_size=4, num_workers=2, multiprocessing_context=method)
    assert as_lists(loader) == as_lists(DataLoader(dataset, batch_size=4))


def test_default_start_method_is_pythons():
    # As in PyTorch: fork on Linux (Python's default there before 3.14).
    it = iter(DataLoader(range(2), num_workers=1))
    assert it._pool.workers[0]._start_method == multiprocessing.get_start_method()
    assert as_lists([next(it), next(it)]) == [[0], [1]]


def test_forked_workers_take_local_classes_and_lambdas():
    # Tutorials define datasets in notebooks and pass lambdas: a forked worker inherits them,
    # nothing is pickled.
    class Squares(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return i * i

    loader = DataLoader(
        Squares(), batch_size=2, num_workers=2, collate_fn=lambda b: [v + 1 for v in b]
    )
    assert list(loader) == [[1, 2], [5, 10], [17, 26]]


class ParallelKernels(Dataset):
    """Each item runs kernels large enough to split across threads (matrix product, sort,
    reduction, copy, softmax, batched decomposition)."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        a = torch.randn(300, 300, generator=g)
        total = (a @ a.t()).sum() + a.sort(dim=1).values[:, 0].sum()
        total = total + a.t().contiguous().softmax(1).sum()
        return total + torch.linalg.inv(a.reshape(4, 75, 300)[:, :, :75]).sum()


def test_forked_workers_run_parallel_kernels_after_the_parent_did():
    # The parent's thread pools are running when the workers fork; their threads are not
    # copied, so a kernel that waited on them would hang (the timeout turns a hang into an
    # error). Each worker must compute what the main process computes.
    expected = [ParallelKernels()[i].item() for i in range(4)]
    loader = DataLoader(
        ParallelKernels(), num_workers=2, timeout=60, multiprocessing_context="fork"
    )
    got = [b.item() for b in loader]
    assert got == expected


def test_dataset_of_empty_tensors():
    # no bytes to share: the configuration goes by pipe (an empty file cannot be mapped)
    loader = DataLoader(TensorDataset(torch.zeros(5, 0)), batch_size=2, num_workers=2)
    assert [tuple(x.shape) for (x,) in loader] == [(2, 0), (2, 0), (1, 0)]


def test_same_batches_when_config_travels_by_pipe(monkeypatch):
    # without memfd (not Linux) the configuration is written to each worker through a pipe
    monkeypatch.delattr(os, "memfd_create", raising=False)
    loader = DataLoader(dataset10(), batch_size=3, num_workers=2)
    assert as_lists(loader) == as_lists(DataLoader(dataset10(), batch_size=3))


def test_worker_seeds_and_generators_recorded_from_pytorch():
    # base_seed is drawn from the global generator; worker k seeds torch/random with
    # base_seed + k and numpy with a hash of both. Values recorded from PyTorch.
    torch.manual_seed(0)
    got = list(DataLoader(Seeds(), batch_size=None, num_workers=2))
    for item in got:
        item["t"] = round(item["t"], 6)
    base = 900450186894289455
    assert got == [
        {"id": 0, "seed": base, "n": 2, "t": 0.78214, "np": 0.8371640508861415,
         "py": 0.21315340548154382},
        {"id": 1, "seed": base + 1, "n": 2, "t": 0.693818, "np": 0.6702704958690073,
         "py": 0.7733861492043289},
        {"id": 0, "seed": base, "n": 2, "t": 0.053599, "np": 0.38757835109739946,
         "py": 0.2764485855185723},
        {"id": 1, "seed": base + 1, "n": 2, "t": 0.297959, "np": 0.07589687641367027,
         "py": 0.1634220007200502},
    ]  # fmt: skip
    # the main process's generator advanced exactly as PyTorch's did
    assert torch.rand(1).item() == pytest.approx(0.0885, abs=5e-5)


def test_get_worker_info_is_none_in_main_process():
    assert get_worker_info() is None


def test_iterable_dataset_sharded_by_worker_info_recorded_from_pytorch():
    # worker 0 yields 3, 4 and worker 1 yields 5, 6; batches alternate between workers
    assert [t.tolist() for t in DataLoader(Range(3, 7), num_workers=2)] == [[3], [5], [4], [6]]
    out = [t.tolist() for t in DataLoader(Range(0, 10), num_workers=2, batch_size=2)]
    assert out == [[0, 1], [5, 6], [2, 3], [7, 8], [4], [9]]


def test_unsharded_iterable_dataset_is_duplicated_per_worker():
    out = [t.item() for t in DataLoader(Unsharded(), num_workers=2)]
    assert out == [0, 0, 1, 1, 2, 2]


def test_persistent_workers_reuse_processes_and_reshuffle():
    g = torch.Generator().manual_seed(4)
    loader = DataLoader(
        dataset10(), batch_size=4, shuffle=True, num_workers=2, persistent_workers=True, generator=g
    )
    reference = DataLoader(
        dataset10(), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(4)
    )
    first, second = as_lists(loader), as_lists(loader)
    assert first != second
    # the same two epochs as in the main process (the iterator's seed draw happens once)
    ref_first = as_lists(reference)
    assert first == ref_first
    pids = [p.pid for p in loader._iterator._pool.workers]
    as_lists(loader)
    assert [p.pid for p in loader._iterator._pool.workers] == pids
    del loader
    gc.collect()
    assert gone(pids)


def test_persistent_workers_with_iterable_dataset():
    loader = DataLoader(Range(0, 6), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert [t.tolist() for t in loader] == [[0, 1], [3, 4], [2], [5]]


def test_out_of_order_delivery_returns_every_batch():
    got = [t.tolist() for t in DataLoader(range(12), batch_size=3, num_workers=2, in_order=False)]
    assert sorted(got) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]


def test_worker_init_fn_shards_and_spawn_context():
    # PyTorch's second sharding example, with workers started by plain spawn
    loader = DataLoader(
        PlainRange(3, 7),
        num_workers=2,
        multiprocessing_context="spawn",
        worker_init_fn=shard_by_init,
    )
    assert [t.item() for t in loader] == [3, 5, 4, 6]


def test_large_batches_cross_intact():
    loader = DataLoader(Big(), batch_size=8, num_workers=2)
    for k, (x, _) in enumerate(loader):
        assert x.shape == (8, 256, 256)
        assert x[:, 0, 0].tolist() == [float(8 * k + j) for j in range(8)]


# --- errors ---------------------------------------------------------------------------------


def test_worker_exception_reraised_with_traceback():
    with pytest.raises(ValueError) as info:
        list(DataLoader(Boom(), num_workers=1))
    text = str(info.value)
    assert text.startswith(
        "Caught ValueError in DataLoader worker process 0.\n"
        "Original Traceback (most recent call last):\n"
    )
    assert 'raise ValueError("bad index 2")' in text and "data_worker_datasets.py" in text
    assert text.endswith("ValueError: bad index 2\n")


def test_worker_key_error_message_is_readable():
    with pytest.raises(KeyError) as info:
        next(iter(DataLoader(MissingKey(), num_workers=1)))
    # str() of a KeyError is repr() of its argument: here the text itself, newlines intact
    assert str(info.value).startswith("Caught KeyError in DataLoader worker process 0.\n")
    assert str(info.value).endswith("KeyError: 'nope'\n")


def test_worker_init_fn_exception_reported_at_first_batch():
    loader = DataLoader(range(4), num_workers=2, worker_init_fn=failing_init)
    with pytest.raises(RuntimeError, match="^Caught RuntimeError in DataLoader worker process 0"):
        next(iter(loader))


def test_unpicklable_batch_is_reported_as_worker_error():
    with pytest.raises(TypeError) as info:
        next(
            iter(DataLoader(range(4), batch_size=2, num_workers=1, collate_fn=collate_to_generator))
        )
    assert str(info.value).startswith("Caught TypeError in DataLoader worker process 0.\n")
    assert "cannot pickle 'generator' object" in str(info.value)


def test_unpicklable_dataset_is_reported_in_main_process():
    class Local(Dataset):
        def __len__(self):
            return 1

        def __getitem__(self, i):
            return i

    with (
        pytest.warns(UserWarning, match="Got pickle error") as caught,
        pytest.raises(AttributeError, match="Can't pickle local object"),
    ):
        iter(DataLoader(Local(), num_workers=1, multiprocessing_context="spawn"))
    assert caught[0].filename == __file__  # the warning points at the user's iter()


class FailingSource:
    """A configuration that cannot be rebuilt, as in a worker that cannot import the dataset."""

    def load(self):
        raise AttributeError("Can't get attribute 'D' on <module '__main__' (built-in)>")


def test_unimportable_config_gets_a_hint():
    config, fetcher, wrapped = _start_worker(0, FailingSource(), "in DataLoader worker process 0")
    assert config is None and fetcher is None
    assert "Can't get attribute 'D'" in wrapped.exc_msg
    assert "must be importable by name" in wrapped.exc_msg


def test_killed_worker_raises_promptly():
    it = iter(DataLoader(Pid(), num_workers=1))
    pid = next(it).item()
    os.kill(pid, signal.SIGKILL)
    start = time.monotonic()
    with pytest.raises(RuntimeError) as info:
        next(it)
    assert time.monotonic() - start < 5
    assert str(info.value) == f"DataLoader worker (pid(s) {pid}) exited unexpectedly"
    del it


def test_timeout():
    it = iter(DataLoader(Pid(delay=1.0), num_workers=1, timeout=0.3))
    next(it)  # item 0 is immediate
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0\.3 seconds$"):
        next(it)
    assert time.monotonic() - start < 2


# --- process lifetime -----------------------------------------------------------------------


def test_workers_exit_when_exhausted():
    it = iter(DataLoader(Pid(n=1), num_workers=2))
    pids = [p.pid for p in it._pool.workers]
    assert len(list(it)) == 1
    assert gone(pids)


def test_workers_exit_when_iterator_deleted_midway():
    # the workers are busy (sleeping in __getitem__) or blocked writing large batches
    for dataset, batch_size in [(Pid(), 1), (Big(), 16)]:
        it = iter(DataLoader(dataset, batch_size=batch_size, num_workers=2))
        next(it)
        pids = [p.pid for p in it._pool.workers]
        start = time.monotonic()
        del it
        gc.collect()
        assert gone(pids)
        assert time.monotonic() - start < 3


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_workers_exit_when_main_process_dies(how, tmp_path):
    # SIGKILL: no cleanup runs in the main process, the workers notice and exit by themselves.
    # SIGINT: KeyboardInterrupt, then the normal shutdown at interpreter exit.
    # The child installs Python's KeyboardInterrupt handler itself: a test run started in the
    # background by a non-interactive shell (as CI starts it) inherits SIGINT ignored, and
    # Python then installs none, so the signal did nothing and the test hung. It sleeps in
    # short steps: a SIGINT that lands after the interpreter's last check for signals and
    # before a sleep's system call starts is noticed only when the sleep ends. If the main
    # process hangs anyway, SIGUSR1 makes it print every thread's stack into the failure.
    script = textwrap.dedent(
        f"""
        import faulthandler, signal, sys, time
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from ferrograd.utils.data import DataLoader
        from data_worker_datasets import Pid
        if __name__ == "__main__":
            it = iter(DataLoader(Pid(), num_workers=2))
            next(it)
            print(*[p.pid for p in it._pool.workers], flush=True)
            while True:
                time.sleep(0.05)
        """
    )
    stderr_path = tmp_path / "stderr.txt"
    with open(stderr_path, "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=stderr,  # the KeyboardInterrupt traceback, or the stacks of a hang
            text=True,
        )
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2 and not gone(pids, within=0.2)
        proc.send_signal(how)
        # Generous: a cold interpreter on a loaded machine can take seconds to shut down.
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGUSR1)
            time.sleep(2)
            pytest.fail("the main process hung at exit:\n" + stderr_path.read_text()[-6000:])
        assert gone(pids, within=5.0)
    finally:
        proc.kill()
        proc.stdout.close()
