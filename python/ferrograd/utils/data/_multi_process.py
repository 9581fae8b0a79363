"""The DataLoader iterator that loads batches in worker processes.

Mirrors ``_MultiProcessingDataLoaderIter`` of ``torch.utils.data.dataloader``: tasks (batches
of indices) go round-robin to the workers, at most ``prefetch_factor`` per worker ahead, and
results are handed out in task order. The processes and their channels live in
``_worker_pool.py``.
"""

from __future__ import annotations

import itertools
import pickle
import warnings
import weakref
from typing import TYPE_CHECKING, Any

from ._exceptions import ExceptionWrapper
from ._fetch import _DatasetKind
from ._single_process import _BaseDataLoaderIter
from ._transport import Packed
from ._worker import _IterableDatasetStopIteration, _ResumeIteration, _WorkerConfig
from ._worker_pool import _WorkerPool, default_context

if TYPE_CHECKING:
    from .dataloader import DataLoader


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """``num_workers > 0``: batches are fetched and collated in worker processes."""

    def __init__(self, loader: DataLoader[Any]) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError(
                "num_workers must be greater than 0 for MultiProcessingDataLoaderIter"
            )
        if not self._prefetch_factor or self._prefetch_factor <= 0:
            raise AssertionError(
                "prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter"
            )
        context = loader.multiprocessing_context or default_context()
        self._shutdown = False
        config = self._worker_config(loader)
        if context.get_start_method() != "fork":  # a forked worker inherits it as it is
            config = self._packed(config)
        self._pool = _WorkerPool(context, self._num_workers, config)
        # Shuts the pool down when this iterator is freed, or at exit (see _worker_pool.py).
        self._finalizer = weakref.finalize(self, self._pool.shutdown)
        self._reset(loader, first_iter=True)

    def _worker_config(self, loader: DataLoader[Any]) -> _WorkerConfig:
        return _WorkerConfig(
            dataset_kind=self._dataset_kind,
            dataset=self._dataset,
            auto_collation=self._auto_collation,
            collate_fn=self._collate_fn,
            drop_last=self._drop_last,
            base_seed=self._base_seed,
            init_fn=loader.worker_init_fn,
            num_workers=self._num_workers,
        )

    @staticmethod
    def _packed(config: _WorkerConfig) -> Packed:
        """The workers' configuration, pickled once here for all of them."""
        try:
            return Packed(config)
        except (pickle.PicklingError, TypeError, AttributeError):
            warnings.warn(
                "Got pickle error when attempting to start a worker Process. Workers started "
                "with the 'spawn' or 'forkserver' method receive the dataset, collate_fn and "
                "worker_init_fn pickled, so these must be defined at the top level of a "
                "module, not as lambdas or local functions ('fork' has no such limit).",
                stacklevel=5,  # the caller of iter(loader)
            )
            raise

    def _reset(self, loader: DataLoader[Any], first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0  # index of the next task to send
        self._rcvd_idx = 0  # index of the next task to hand out
        # task index -> (worker_id,) while outstanding, (worker_id, data) once received
        self._task_info: dict[int, tuple[Any, ...]] = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: start a new epoch, dropping results of the previous one
            # until every worker has acknowledged.
            for worker_id in range(self._num_workers):
                self._pool.put(worker_id, _ResumeIteration())
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, _ = self._pool.get(self._timeout)
                if isinstance(return_idx, _ResumeIteration):
                    resume_iteration_cnt -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _next_data(self) -> Any:
        while True:
            # Skip tasks whose worker has stopped (an exhausted IterableDataset copy).
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:  # already received, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            idx, data = self._pool.get(self._timeout)
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable and isinstance(
                data, _IterableDatasetStopIteration
            ):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)  # keep it until its turn
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self) -> None:
        """Sends the next task to the next active worker (round-robin), if there is one."""
        try:
            index = self._next_index()
        except StopIteration:
            return
        max_tasks = self._prefetch_factor * self._num_workers
        for _ in range(self._num_workers):
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx] and (
                self._in_order
                or self._workers_num_tasks[worker_queue_idx]
                < max_tasks // sum(self._workers_status)
            ):
                break
        else:
            return
        self._pool.put(worker_queue_idx, (self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data: Any, worker_idx: int) -> Any:
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id: int) -> None:
        """Stops giving a worker tasks and tells it to exit."""
        self._pool.request_exit(worker_id)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self) -> None:
        self._shutdown = True
        self._finalizer()  # runs the pool's shutdown once; later calls do nothing
