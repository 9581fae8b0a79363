"""The worker processes of one multi-process DataLoader iterator, and their channels.

Each worker gets its own index queue (tasks in) and its own pipe (results out). The main
process waits on all result pipes *and* all process sentinels at once, so a worker that dies
is noticed immediately rather than by a later poll.

The pool is shut down by a ``weakref.finalize`` attached to its iterator, not by the
iterator's ``__del__``: when an iterator is freed as part of a reference cycle (an exception
traceback holding it, say), Python runs the finalizers of everything in the cycle in no fixed
order, and the pipes' own finalizers could close their file descriptors before a ``__del__``
got to them. A finalize callback runs first, and keeps the pool it holds alive until it does;
it also runs at interpreter exit.
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from typing import Any

from ._transport import recv_result
from ._worker import _worker_loop
from ._worker_config import config_source

# How long shutdown waits (in all) for the workers to exit on their own before terminating
# them. Short: a worker holds nothing that terminating it could corrupt, and a loader left
# early (a `break` in the loop) should not stall the program.
_JOIN_TIMEOUT = 1.0


def default_context() -> multiprocessing.context.BaseContext:
    """Python's default start method, as PyTorch uses: ``fork`` on Linux (before Python
    3.14), ``forkserver`` or ``spawn`` elsewhere, or what ``set_start_method`` chose.

    Forking is safe although ferrograd's compute threads may be running: the child marks
    itself at fork and runs every kernel on its one thread (the pools' threads are not copied).
    A fork server gets ferrograd added to its preload list, so that each worker forked from it
    starts with ferrograd already imported instead of importing it again.
    """
    context = multiprocessing.get_context()
    if context.get_start_method() == "forkserver":
        preload = getattr(getattr(forkserver, "_forkserver", None), "_preload_modules", None)
        if isinstance(preload, list) and "ferrograd" not in preload:
            context.set_forkserver_preload([*preload, "ferrograd"])
    return context


class _WorkerPool:
    """Starts ``num_workers`` processes running ``_worker_loop`` and hands them the packed
    configuration (see ``_worker_config.py``)."""

    def __init__(self, context: Any, num_workers: int, config: Any) -> None:
        self.done_event = context.Event()
        self.index_queues: list[Any] = []
        self.result_conns: list[Connection] = []
        self.workers: list[Any] = []
        # Workers told to exit (sent None): their exit is expected, not a failure.
        self.exit_requested: list[bool] = []
        source = config_source(context, config)
        try:
            for worker_id in range(num_workers):
                self._start(context, worker_id, source.for_worker())
            try:
                source.after_start()
            except (BrokenPipeError, ConnectionError):
                self.raise_if_failed()  # a worker died before reading its configuration
                raise
        except BaseException:
            self.shutdown()
            raise
        finally:
            source.close()

    def _start(self, context: Any, worker_id: int, config: Any) -> None:
        index_queue = context.Queue()
        # Never let interpreter exit wait on this queue's feeder thread.
        index_queue.cancel_join_thread()
        reader, writer = context.Pipe(duplex=False)
        worker = context.Process(
            target=_worker_loop,
            args=(worker_id, config, index_queue, writer, self.done_event),
            daemon=True,  # terminated by multiprocessing at exit if still running
        )
        worker.start()
        # Keep only the reading end here, so the pipe reads as closed once the worker is gone.
        writer.close()
        self.index_queues.append(index_queue)
        self.result_conns.append(reader)
        self.workers.append(worker)
        self.exit_requested.append(False)

    def put(self, worker_id: int, message: Any) -> None:
        self.index_queues[worker_id].put(message)

    def request_exit(self, worker_id: int) -> None:
        """Sends ``None`` (once): the worker finishes its loop and exits."""
        if not self.exit_requested[worker_id]:
            self.index_queues[worker_id].put(None)
            self.exit_requested[worker_id] = True

    def raise_if_failed(self) -> None:
        """RuntimeError naming every worker that exited without being asked to."""
        failed = [
            worker_id
            for worker_id, w in enumerate(self.workers)
            if not self.exit_requested[worker_id] and not w.is_alive()
        ]
        if failed:
            for worker_id in failed:
                self.exit_requested[worker_id] = True  # reported once
            pids = ", ".join(str(self.workers[worker_id].pid) for worker_id in failed)
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")

    def get(self, timeout: float) -> tuple[Any, Any]:
        """The next reply from any worker, ``(task_idx, data)``; ``timeout`` 0 waits forever."""
        while True:
            conns = [c for c in self.result_conns if not c.closed]
            sentinels = [
                w.sentinel for w, asked in zip(self.workers, self.exit_requested) if not asked
            ]
            if not conns and not sentinels:
                raise RuntimeError("DataLoader workers exited before sending all batches")
            ready = wait(conns + sentinels, timeout if timeout > 0 else None)
            if not ready:
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")
            # Replies first: a worker may have sent its last batch just before dying.
            for conn in conns:
                if conn in ready:
                    try:
                        return recv_result(conn)
                    except (EOFError, OSError):
                        conn.close()  # its worker is gone; the check below says which
            self.raise_if_failed()

    def shutdown(self) -> None:
        """Stops every worker: asks each to exit, closes the result pipes (a worker blocked
        writing a batch then fails at once), waits a little, terminates any that remain."""
        try:
            self.done_event.set()
            for worker_id in range(len(self.workers)):
                self.request_exit(worker_id)
            for conn in self.result_conns:
                conn.close()
            deadline = time.monotonic() + _JOIN_TIMEOUT
            for w in self.workers:
                w.join(timeout=max(0.0, deadline - time.monotonic()))
            for index_queue in self.index_queues:
                index_queue.close()
        finally:
            for w in self.workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_JOIN_TIMEOUT)
