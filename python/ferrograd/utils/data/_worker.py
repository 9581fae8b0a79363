"""What runs inside a DataLoader worker process, and ``get_worker_info()``.

Mirrors ``torch.utils.data._utils.worker``: the same seeding (``base_seed + worker_id`` for
Python's ``random`` and ferrograd; a hashed state for numpy), the same ``WorkerInfo`` and the
same protocol of markers between the main process and its workers.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from ... import _C
from ._exceptions import ExceptionWrapper
from ._fetch import _DatasetKind
from ._transport import send_result
from ._worker_seed import _generate_state

# Added to the report of a configuration that a worker could not unpickle.
_UNPICKLE_HINT = (
    "The DataLoader worker could not rebuild the dataset, collate_fn or worker_init_fn it was "
    "sent. Workers started with 'spawn' or 'forkserver' are fresh processes, so these must "
    "be importable by name: defined at the top level of a module file, not in an interactive "
    "session or notebook cell. (multiprocessing_context='fork', Linux's default, avoids this.)"
)

_worker_info: WorkerInfo | None = None


@dataclass(frozen=True)
class WorkerInfo:
    """Set in each worker process: which worker this is, how many there are, this worker's
    seed, and its own copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None  # PyTorch's per-worker generators of its thread-based workers; unused here
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """The current worker's ``WorkerInfo``, or ``None`` in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back)."""

    seed: int | None = None


@dataclass(frozen=True)
class _WorkerConfig:
    """Everything a worker needs: packed once, handed to every worker."""

    dataset_kind: int
    dataset: Any
    auto_collation: bool
    collate_fn: Callable[[Any], Any]
    drop_last: bool
    base_seed: int
    init_fn: Callable[[int], None] | None
    num_workers: int


def _seed_worker(base_seed: int, worker_id: int) -> int:
    """Seeds Python's, ferrograd's and numpy's global generators as a PyTorch worker would."""
    seed = base_seed + worker_id
    random.seed(seed)
    _C.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(
    worker_id: int,
    config_source: Any,
    index_queue: Any,
    result_conn: Connection,
    done_event: Any,
) -> None:
    """Serves ``(task_idx, index)`` requests from ``index_queue`` until it receives ``None``,
    the main process dies, or the pipe to it breaks; every reply is ``(task_idx, data)``.

    The configuration (dataset, collate_fn, ...) is unpickled here, from ``config_source``
    (see ``_worker_config.py``), so that a failure to unpickle it (say, a dataset class the
    worker cannot import) reaches the main process as an ordinary worker error.
    """
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    try:
        _exit_with_parent(multiprocessing.parent_process())
        config, fetcher, init_exception = _start_worker(worker_id, config_source, where)
        iteration_end = False
        while True:
            request = index_queue.get()
            if isinstance(request, _ResumeIteration):
                send_result(result_conn, (request, None))
                iteration_end = False
                if init_exception is None:
                    fetcher = _make_fetcher(config)
                continue
            if request is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down, or nothing left to give: skip queued tasks
            idx, index = request
            if init_exception is not None:
                data: Any = init_exception
            else:
                data = _fetch(config, fetcher, index, worker_id, where)
                iteration_end = isinstance(data, _IterableDatasetStopIteration)
            _send(result_conn, idx, data, where)
            del data, idx, index, request  # do not hold the batch while waiting
    except (KeyboardInterrupt, ConnectionError):
        # Ctrl-C reaches the main process too, which shuts the workers down; a broken pipe
        # means the main process closed its end (shutdown): exit quietly either way.
        pass
    finally:
        _worker_info = None
        result_conn.close()


def _exit_with_parent(parent: Any) -> None:
    """Ends this process as soon as the main process dies, even in the middle of a long
    ``__getitem__``: a watchdog thread waits on the parent's sentinel (readable once it has
    exited). Without it an orphaned worker would run on until its current task finished."""
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="DataLoader worker watchdog", daemon=True).start()


def _start_worker(worker_id: int, config_source: Any, where: str) -> tuple[Any, Any, Any]:
    """Receives the configuration, seeds, sets ``WorkerInfo``, runs ``worker_init_fn`` and
    builds the fetcher. Returns ``(config, fetcher, None)``, or the wrapped exception that
    stopped it as the third item (reported in reply to the first request)."""
    global _worker_info
    config = None
    try:
        config = config_source.load()
        seed = _seed_worker(config.base_seed, worker_id)
        _worker_info = WorkerInfo(worker_id, config.num_workers, seed, config.dataset)
        if config.init_fn is not None:
            config.init_fn(worker_id)
        return config, _make_fetcher(config), None
    except Exception as error:  # noqa: BLE001 (every error is the user's to see, in the main process)
        if config is None and hasattr(error, "add_note"):  # Python 3.11+
            error.add_note(_UNPICKLE_HINT)
        return config, None, ExceptionWrapper(where=where)


def _make_fetcher(config: _WorkerConfig) -> Any:
    return _DatasetKind.create_fetcher(
        config.dataset_kind,
        config.dataset,
        config.auto_collation,
        config.collate_fn,
        config.drop_last,
    )


def _fetch(config: _WorkerConfig, fetcher: Any, index: Any, worker_id: int, where: str) -> Any:
    """One batch, or the end-of-stream marker, or the wrapped exception."""
    try:
        return fetcher.fetch(index)
    except StopIteration:
        if config.dataset_kind == _DatasetKind.Iterable:
            return _IterableDatasetStopIteration(worker_id)
        return ExceptionWrapper(where=where)
    except Exception:  # noqa: BLE001 (every error is the user's to see, in the main process)
        return ExceptionWrapper(where=where)


def _send(conn: Connection, idx: int, data: Any, where: str) -> None:
    """Sends a reply; a batch that cannot be pickled is reported as the error it raised."""
    try:
        send_result(conn, (idx, data))
    except (pickle.PicklingError, TypeError, AttributeError):
        send_result(conn, (idx, ExceptionWrapper(where=where)))
